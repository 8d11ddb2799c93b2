import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabFacts } from '../../src/lab/facts.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, USERPILOT_BIND_PASSWORD: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('directory commands without a DC', () => {
  it('lists the connection options in help', async () => {
    const { stdout, code } = await run(['directory', 'read', '--help']);
    expect(code).toBe(0);
    for (const option of [
      '--url',
      '--bind-dn',
      '--bind-password-file',
      '--bind-password-stdin',
      '--ca-file',
      '--insecure-skip-verify',
      '--starttls',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toContain('USERPILOT_BIND_PASSWORD');
  });

  it('asks for a bind password', async () => {
    const result = await run([
      'directory',
      'browse',
      '--url',
      'ldaps://127.0.0.1:1',
      '--bind-dn',
      'x',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UP_DIRECTORY_PASSWORD_MISSING');
  });

  it('rejects a watermark it did not write', async () => {
    const args = [
      'directory',
      'changes',
      '--since',
      'bogus',
      '--url',
      'ldaps://127.0.0.1:1',
      '--bind-dn',
      'x',
    ];
    const result = await run(args, { USERPILOT_BIND_PASSWORD: 'p' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UP_DIRECTORY_WATERMARK_INVALID');
  });
});

describeLab('directory commands against the lab DC', () => {
  let facts: LabFacts;
  let dir: string;
  let passwordFile: string;
  let connection: string[];

  beforeAll(() => {
    facts = labFacts();
    dir = mkdtempSync(join(tmpdir(), 'userpilot-directory-cli-'));
    passwordFile = join(dir, 'bind-password');
    writeFileSync(passwordFile, `${facts.bindPassword}\n`, { mode: 0o600 });
    connection = ['--url', facts.ldapsUrl, '--ca-file', facts.caFile, '--bind-dn', facts.bindUpn];
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('browses the domain root', async () => {
    const result = await run([
      'directory',
      'browse',
      ...connection,
      '--bind-password-file',
      passwordFile,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toContain(facts.scopeDn);
  });

  it('reads the scope, then its changes, as JSON lines', async () => {
    const read = await run(['directory', 'read', '--scope', facts.scopeDn, ...connection], {
      USERPILOT_BIND_PASSWORD: facts.bindPassword,
    });
    expect(read.code).toBe(0);
    const lines = jsonLines(read.stdout);
    const last = lines.at(-1);
    expect(last?.kind).toBe('watermark');
    const records = lines.filter((line) => line.kind === 'record');
    expect(records.length).toBeGreaterThan(0);
    expect(records.length + lines.filter((line) => line.kind === 'undecodable').length).toBe(
      lines.length - 1,
    );
    expect(read.stderr).not.toContain(facts.bindPassword);

    const changes = await run(
      [
        'directory',
        'changes',
        '--since',
        String(last?.watermark),
        ...connection,
        '--bind-password-stdin',
      ],
      {},
      `${facts.bindPassword}\n`,
    );
    expect(changes.code).toBe(0);
    const changeLines = jsonLines(changes.stdout);
    expect(changeLines.at(-1)?.kind).toBe('watermark');
    for (const line of changeLines.slice(0, -1)) {
      expect(['changed', 'outOfScope', 'deleted', 'undecodable']).toContain(line.kind);
    }
  });

  it('exits with the 52e message on a wrong password', async () => {
    const result = await run(['directory', 'browse', ...connection], {
      USERPILOT_BIND_PASSWORD: 'wrong-password',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('UP_DIRECTORY_BAD_PASSWORD');
    expect(result.stderr).not.toContain('wrong-password');
  });
});
