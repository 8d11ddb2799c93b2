import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScimToken } from '../../../src/hosted/types.ts';
import type { InitServerResult } from '../../../src/server/init.ts';
import { ScimHttp } from './support/scim-server.ts';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'userpilot.js');

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `userpilot ARGS` to its end. */
function runCli(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `userpilot server start` and resolves with the child and its URL once it listens. */
function startServer(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(
    process.execPath,
    [bin, 'server', 'start', '--data', dataDir, '--listen', '127.0.0.1:0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], exited });
    });
    void exited.then(() => reject(new Error(`server exited early: ${stderr}`)));
  });
}

describe('userpilot scim token', () => {
  let dir: string;
  let init: InitServerResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'userpilot-scim-cli-'));
    const exit = await runCli([
      'server',
      'init',
      '--data',
      join(dir, 'service'),
      '--tenant',
      'Lab',
      '--json',
    ]);
    if (exit.code !== 0) throw new Error(`init failed: ${exit.stderr}`);
    init = JSON.parse(exit.stdout) as InitServerResult;
  });

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('creates, lists and revokes a token that the server accepts', async () => {
    const created = await runCli([
      'scim',
      'token',
      'create',
      '--data',
      init.dataDir,
      '--label',
      'Entra ID',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const token = JSON.parse(created.stdout) as ScimToken & { token: string };
    expect(token.token).toMatch(/^upscim/);
    expect(token.label).toBe('Entra ID');

    const listed = await runCli(['scim', 'token', 'list', '--data', init.dataDir, '--json']);
    const tokens = JSON.parse(listed.stdout) as ScimToken[];
    expect(tokens.map((item) => item.id)).toEqual([token.id]);
    expect(listed.stdout).not.toContain(token.token);

    const server = await startServer(init.dataDir);
    const http = new ScimHttp(
      server.url,
      readFileSync(join(init.dataDir, init.tls.certFile), 'utf8'),
    );
    try {
      const accepted = await http.send({ path: '/scim/v2/Users', token: token.token });
      expect(accepted.status).toBe(200);

      const revoked = await runCli(['scim', 'token', 'revoke', token.id, '--data', init.dataDir]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toContain(`Revoked SCIM token ${token.id}`);
      const rejected = await http.send({ path: '/scim/v2/Users', token: token.token });
      expect(rejected.status).toBe(401);
    } finally {
      http.close();
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('names the tenant when it is unknown', async () => {
    const exit = await runCli([
      'scim',
      'token',
      'list',
      '--data',
      init.dataDir,
      '--tenant',
      'Nope',
    ]);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('No tenant is named "Nope"');
  });
});
