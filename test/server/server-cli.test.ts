import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { agentRoutes } from '../../src/protocol/agent-api.ts';
import type { InitServerResult } from '../../src/server/init.ts';
import { AgentHttp, errorOf } from './support/agent-http.ts';
import { storeEngines, type TestDatabase } from './support/test-server.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');
const facts = { host: 'cli-agent', dc: 'dc-1', version: '0.1.0' };

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

/** Starts `userpilot server start ARGS` and resolves with its URL once it listens. */
function startCli(
  args: string[],
): Promise<{ child: ChildProcess; url: string; exited: Promise<Exit> }> {
  const child = spawn(process.execPath, [bin, 'server', 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<Exit>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], exited });
    });
    void exited.then((exit) => reject(new Error(`server exited early: ${exit.stderr}`)));
  });
}

describe.each(storeEngines)('userpilot server on $name', (engine) => {
  let dir: string;
  let database: TestDatabase;
  let init: InitServerResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'userpilot-cli-'));
    database = await engine.create();
    const databaseArgs = engine.name === 'postgres' ? ['--database', database.url] : [];
    const exit = await runCli([
      'server',
      'init',
      '--data',
      join(dir, 'service'),
      '--hostname',
      'mail.lab.test',
      '--tenant',
      'Lab',
      '--json',
      ...databaseArgs,
    ]);
    if (exit.code !== 0) throw new Error(`init failed: ${exit.stderr}`);
    init = JSON.parse(exit.stdout) as InitServerResult;
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  });

  it('init prints credentials and the certificate fingerprint', () => {
    const certificate = new X509Certificate(readFileSync(join(init.dataDir, init.tls.certFile)));

    expect(init.tenant.name).toBe('Lab');
    expect(init.operator.password.length).toBeGreaterThanOrEqual(20);
    expect(init.admin.password.length).toBeGreaterThanOrEqual(20);
    expect(init.agentInstall.password.length).toBeGreaterThanOrEqual(20);
    expect(init.tls.selfSigned).toBe(true);
    expect(init.tls.fingerprintSha256).toBe(certificate.fingerprint256);
    expect(certificate.subjectAltName).toContain('DNS:mail.lab.test');
    expect(statSync(join(init.dataDir, init.tls.keyFile)).mode & 0o077).toBe(0);
    expect(statSync(join(init.dataDir, 'server.json')).mode & 0o077).toBe(0);
  });

  it('init stores no password in clear text', () => {
    const config = readFileSync(join(init.dataDir, 'server.json'), 'utf8');
    expect(config).not.toContain(init.agentInstall.password);
    if (engine.name === 'sqlite') {
      const store = readFileSync(join(init.dataDir, 'userpilot.sqlite'));
      for (const secret of [
        init.operator.password,
        init.admin.password,
        init.agentInstall.password,
      ]) {
        expect(store.includes(Buffer.from(secret))).toBe(false);
      }
    }
  });

  it('init refuses an initialized folder', async () => {
    const exit = await runCli(['server', 'init', '--data', init.dataDir]);

    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('UP_SERVER_DATA_EXISTS');
  });

  it('start serves HTTPS and rotation keeps agents working', async () => {
    const server = await startCli(['--data', init.dataDir, '--listen', '127.0.0.1:0']);
    const ca = readFileSync(join(init.dataDir, init.tls.certFile), 'utf8');
    const http = new AgentHttp(server.url, ca, systemClock);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const signIn = await http.ok<{ credential: string }>({
        path: agentRoutes.signIn,
        body: {
          userName: init.agentInstall.user,
          password: init.agentInstall.password,
          agent: facts,
        },
      });

      const rotate = await runCli([
        'server',
        'rotate-install-password',
        '--data',
        init.dataDir,
        '--json',
      ]);
      expect(rotate.code).toBe(0);
      const rotated = JSON.parse(rotate.stdout) as { user: string; password: string };
      expect(rotated.password).not.toBe(init.agentInstall.password);

      const heartbeat = await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        credential: signIn.credential,
      });
      expect(heartbeat.status).toBe(200);

      const oldPassword = await http.send({
        path: agentRoutes.signIn,
        body: {
          userName: init.agentInstall.user,
          password: init.agentInstall.password,
          agent: facts,
        },
      });
      expect(oldPassword.status).toBe(401);
      expect(errorOf(oldPassword).message).toBe('Password is incorrect.');

      const newPassword = await http.send({
        path: agentRoutes.signIn,
        body: { userName: rotated.user, password: rotated.password, agent: facts },
      });
      expect(newPassword.status).toBe(200);

      // The other parts are served too, and their routes join the OpenAPI document.
      const document = await http.send({ method: 'GET', path: '/openapi.json', agentTime: null });
      const paths = Object.keys((document.body as { paths: Record<string, unknown> }).paths);
      expect(paths).toContain(agentRoutes.runStart);
      expect(paths.some((path) => path.startsWith('/scim/v2/'))).toBe(true);
      const scim = await http.send({
        method: 'GET',
        path: '/scim/v2/ServiceProviderConfig',
        agentTime: null,
      });
      expect([200, 401]).toContain(scim.status);
    } finally {
      http.close();
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).not.toContain(init.agentInstall.password);
  });

  it.each([
    { name: 'any address', listen: '0.0.0.0:18443' },
    { name: 'a LAN address', listen: '192.0.2.10:18443' },
    { name: 'the IPv6 any address', listen: '[::]:18443' },
  ])('start refuses plain HTTP on $name', async ({ listen }) => {
    const exit = await runCli([
      'server',
      'start',
      '--data',
      init.dataDir,
      '--insecure-http',
      '--listen',
      listen,
    ]);

    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('UP_SERVER_INSECURE_LISTEN');
  });

  it('start allows plain HTTP on loopback with the option', async () => {
    const server = await startCli([
      '--data',
      init.dataDir,
      '--insecure-http',
      '--listen',
      '127.0.0.1:0',
    ]);
    server.child.kill('SIGTERM');
    const exit = await server.exited;

    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(exit.code).toBe(0);
  });
});

describe('userpilot server start without init', () => {
  it('names the missing data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'userpilot-cli-empty-'));
    const exit = await runCli(['server', 'start', '--data', dir]);
    rmSync(dir, { recursive: true, force: true });

    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('UP_SERVER_DATA_MISSING');
  });
});
