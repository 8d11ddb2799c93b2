import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { formatFacts } from '../../src/cli/lab-commands.ts';
import type { LabStatus } from '../../src/lab/lab.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const userpilot = join(root, 'bin', 'userpilot.js');

describeLab('userpilot lab command', () => {
  it('prints the running test lab with status --json', async () => {
    const facts = labFacts();
    const { stdout } = await run(process.execPath, [
      userpilot,
      'lab',
      'status',
      '--json',
      '--dir',
      facts.dir,
    ]);
    const status = JSON.parse(stdout) as LabStatus;
    expect(status.state).toBe('running');
    expect('facts' in status && status.facts.sambaPid).toBe(facts.sambaPid);
  });

  it('lists the connection facts for a terminal', () => {
    const facts = labFacts();
    const text = formatFacts(facts);
    for (const value of [
      facts.ldapsUrl,
      facts.caFile,
      facts.baseDn,
      facts.scopeDn,
      facts.bindUpn,
      facts.bindPassword,
      facts.mailDomain,
    ]) {
      expect(text).toContain(value);
    }
  });

  it('rejects up without root in one line', async () => {
    // The preload makes the process see the uid of the nobody user, so the whole command runs
    // as for an unprivileged user. Dropping privileges for real (setpriv) would also need the
    // checkout to be readable by nobody, which a clone in a 0700 folder is not.
    const failure = await run(
      process.execPath,
      [
        '--import',
        'data:text/javascript,process.getuid=()=>65534;process.geteuid=()=>65534;',
        userpilot,
        'lab',
        'up',
        '--dir',
        '/nonexistent/lab',
      ],
      {
        cwd: root,
      },
    ).catch((error: unknown) => error as { code: number; stderr: string });
    expect('code' in failure && failure.code).toBe(1);
    const lines = ('stderr' in failure ? failure.stderr : '').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^userpilot: UP_LAB_NOT_ROOT: .* Run the lab command as root/);
  });
});
