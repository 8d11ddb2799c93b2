import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeIdentity } from '../../src/agent/agent-identity.ts';
import { writeDiagnostics } from '../../src/agent/diagnostics.ts';
import { openStateDatabase } from '../../src/agent/state-db.ts';
import { freePort } from '../agent/support/e2e.ts';

const installPassword = 'Install-Secret-4711';
const bindPassword = 'Bind-Secret-0815';
const credential = 'agent-credential-abcdef123456';

describe('userpilot diagnose', () => {
  it('writes an archive without any secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'up-diagnose-'));
    const stateDir = join(dir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    const bindFile = join(dir, 'bind-password');
    writeFileSync(bindFile, `${bindPassword}\n`, { mode: 0o600 });
    const configPath = join(dir, 'agent.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        stateDir,
        service: {
          url: `https://127.0.0.1:${await freePort()}`,
          installUser: 'agent',
          installPassword,
        },
        directory: {
          url: `ldaps://127.0.0.1:${await freePort()}`,
          bindDn: 'sync@lab.test',
          bindPassword: { file: bindFile },
          scopeDn: 'OU=Staff,DC=lab,DC=test',
        },
      }),
    );
    chmodSync(configPath, 0o600);
    const db = openStateDatabase(stateDir);
    storeIdentity(db, { agentId: 'agent-1', tenantId: 'tenant-1', credential });
    db.close();
    // A line that carries secrets, as a faulty component might have written it.
    writeFileSync(
      join(stateDir, 'agent.log'),
      `${JSON.stringify({ level: 'info', msg: `connecting with ${bindPassword} and ${credential}` })}\n` +
        `${JSON.stringify({ level: 'error', msg: `install password ${installPassword} rejected` })}\n`,
    );

    const archive = join(dir, 'diagnostics.tar.gz');
    await writeDiagnostics({ configPath, output: archive, env: {} });
    const extracted = join(dir, 'extracted');
    mkdirSync(extracted);
    execFileSync('tar', ['-xzf', archive, '-C', extracted]);

    const files = readdirSync(extracted).sort();
    expect(files).toEqual(['agent.log', 'config.json', 'report.json', 'status.json']);
    for (const file of files) {
      const text = readFileSync(join(extracted, file), 'utf8');
      for (const secret of [installPassword, bindPassword, credential]) {
        expect(text, `${file} holds a secret`).not.toContain(secret);
      }
    }
    const report = JSON.parse(readFileSync(join(extracted, 'report.json'), 'utf8')) as {
      versions: Record<string, string>;
      checks: { target: string; check: string; ok: boolean }[];
    };
    expect(report.versions.node).toBe(process.version);
    expect(report.checks.map((check) => `${check.target} ${check.check} ${check.ok}`)).toEqual([
      'service dns true',
      'service tcp false',
      'directory dns true',
      'directory tcp false',
      'service clock false',
    ]);
    const config = JSON.parse(readFileSync(join(extracted, 'config.json'), 'utf8')) as {
      service: { installPassword: string };
      directory: { bindPassword: { file: string } };
    };
    expect(config.service.installPassword).toBe('[redacted]');
    expect(config.directory.bindPassword).toEqual({ file: bindFile });
    expect(readFileSync(join(extracted, 'agent.log'), 'utf8')).toContain(
      'connecting with [redacted] and [redacted]',
    );
  });
});
