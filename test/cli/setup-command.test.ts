import { spawn } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/agent/config.ts';
import { openStateDatabase } from '../../src/agent/state-db.ts';
import { readAgentStatus } from '../../src/agent/status-report.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { HostedHarness } from '../agent/support/e2e.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');

/** Runs `userpilot` with the given standard input; resolves with exit code and output. */
function runUserpilot(args: string[], stdin: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(stdin);
  });
}

describeLab('userpilot setup --non-interactive', () => {
  let lab: LabFacts;
  let hosted: HostedHarness;

  beforeAll(async () => {
    lab = labFacts();
    hosted = await HostedHarness.create();
    await hosted.start();
  });

  afterAll(async () => {
    await hosted?.close();
  });

  function setupArgs(dir: string, overrides: Record<string, string> = {}): string[] {
    const options: Record<string, string> = {
      '--config': join(dir, 'agent.json'),
      '--state-dir': join(dir, 'state'),
      '--service-url': hosted.url,
      '--install-user': hosted.init.agentInstall.user,
      '--install-password-env': 'UP_TEST_INSTALL_PASSWORD',
      '--service-fingerprint': hosted.init.tls.fingerprintSha256,
      '--dc-url': lab.ldapsUrl,
      '--bind-dn': lab.bindUpn,
      '--dc-ca-file': lab.caFile,
      '--scope': lab.scopeDn,
      ...overrides,
    };
    return [
      'setup',
      '--non-interactive',
      '--no-systemd',
      '--bind-password-stdin',
      ...Object.entries(options).flat(),
    ];
  }

  it('writes a checked configuration with mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'up-setup-'));
    const result = await runUserpilot(setupArgs(dir), `${lab.bindPassword}\n`, {
      UP_TEST_INSTALL_PASSWORD: hosted.init.agentInstall.password,
    });
    expect(result.output).toContain('Configuration written to');
    expect(result.code).toBe(0);
    expect(result.output).toContain(`userpilot agent run --config ${join(dir, 'agent.json')}`);
    expect(result.output).not.toContain(lab.bindPassword);
    expect(statSync(join(dir, 'agent.json')).mode & 0o777).toBe(0o600);

    const loaded = loadAgentConfig(join(dir, 'agent.json'), {});
    expect(loaded.config.directory.scopeDn).toBe(lab.scopeDn);
    expect(loaded.secrets.bindPassword).toBe(lab.bindPassword);
    const db = openStateDatabase(join(dir, 'state'), { readonly: true });
    expect(readAgentStatus(db).agentId).not.toBeNull();
    db.close();
  });

  it.each([
    [
      'a wrong install password',
      { '--install-password-env': 'UP_TEST_WRONG' },
      'Password is incorrect.',
    ],
    [
      'a scope that does not exist',
      { '--scope': 'OU=Nowhere,DC=nowhere,DC=test' },
      'UP_DIRECTORY_SCOPE',
    ],
    [
      'an untrusted service',
      { '--service-fingerprint': 'AB'.repeat(32) },
      'Cannot access remote UserPilot service at',
    ],
  ])('rejects %s', async (_name, overrides, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'up-setup-'));
    const result = await runUserpilot(setupArgs(dir, overrides), `${lab.bindPassword}\n`, {
      UP_TEST_INSTALL_PASSWORD: hosted.init.agentInstall.password,
      UP_TEST_WRONG: 'not-the-password',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain(expected);
  });
});
