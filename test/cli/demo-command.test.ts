import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { describeLab } from '../support/lab.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');

describeLab('userpilot demo --exit-after-sync', () => {
  it('syncs the lab and links the prepared mailboxes', async () => {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const child = spawn(process.execPath, [
        bin,
        'demo',
        '--exit-after-sync',
        '--lab-dir',
        inject('labDir'),
      ]);
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      child.on('close', (code) => resolve({ code, text }));
    });
    expect(output.text).toMatch(/First full sync done: 50 directory objects/);
    expect(output.text).toContain('Autolink: 4 linked (3 by UPN, 1 by display name)');
    expect(output.text).toContain(
      'ambiguous displayName "Ben Schulz": 1 users, 2 mailboxes; left unlinked',
    );
    expect(output.text).toMatch(/Autocreate: \d+ mailboxes created/);
    expect(output.text).toContain('carol.nomail: upn-not-email');
    expect(output.text).toMatch(/Control panel: https:\/\/127\.0\.0\.1:\d+\/panel\//);
    expect(output.text).toMatch(/Admin login: +admin \/ \S+/);
    expect(output.code).toBe(0);
  });
});
