import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addGlobalOption,
  prepareSambaPasswordStore,
} from '../../src/agent/password/prepare-samba.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';

const smbConfText =
  '# Global parameters\n[global]\n\trealm = USERPILOT.TEST\n\n[netlogon]\n\tpath = /x\n';
const gnupgHomes: string[] = [];

function newFolder(): { smbConf: string; gnupgHome: string } {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-prepare-'));
  const smbConf = join(dir, 'smb.conf');
  writeFileSync(smbConf, smbConfText);
  const gnupgHome = join(dir, 'gnupg');
  gnupgHomes.push(gnupgHome);
  return { smbConf, gnupgHome };
}

afterAll(() => {
  // gpg starts a gpg-agent per GNUPGHOME; stop the ones these tests caused.
  for (const home of gnupgHomes.filter((dir) => existsSync(dir))) {
    execFileSync('gpgconf', ['--kill', 'all'], { env: { ...process.env, GNUPGHOME: home } });
  }
});

describe('addGlobalOption', () => {
  it('adds the line at the top of [global]', () => {
    expect(addGlobalOption(smbConfText, 'password hash gpg key ids = ABC')).toBe(
      '# Global parameters\n[global]\n\tpassword hash gpg key ids = ABC\n\trealm = USERPILOT.TEST\n\n[netlogon]\n\tpath = /x\n',
    );
  });

  it('adds a [global] section when there is none', () => {
    expect(addGlobalOption('[netlogon]\n', 'a = b')).toBe('[global]\n\ta = b\n[netlogon]\n');
  });
});

describe('prepareSambaPasswordStore', () => {
  it('creates a key and names it in smb.conf', async () => {
    const { smbConf, gnupgHome } = newFolder();
    const report = await prepareSambaPasswordStore({ smbConf, gnupgHome });

    expect(report.keyId).toMatch(/^[0-9A-F]{40}$/);
    expect(readFileSync(smbConf, 'utf8')).toContain(
      `\tpassword hash gpg key ids = ${report.keyId}\n`,
    );
    expect(readFileSync(`${smbConf}.before-userpilot`, 'utf8')).toBe(smbConfText);
    expect(report.warnings.join(' ')).toContain('Restart Samba');
    const secretKeys = execFileSync('gpg', ['--batch', '--list-secret-keys', '--with-colons'], {
      env: { ...process.env, GNUPGHOME: gnupgHome },
    }).toString();
    expect(secretKeys).toContain(report.keyId);
  });

  it('changes nothing when smb.conf names a key it holds', async () => {
    const { smbConf, gnupgHome } = newFolder();
    const first = await prepareSambaPasswordStore({ smbConf, gnupgHome });
    const configured = readFileSync(smbConf, 'utf8');

    const second = await prepareSambaPasswordStore({ smbConf, gnupgHome });
    expect(second.keyId).toBe(first.keyId);
    expect(second.steps.join(' ')).toContain('nothing changed');
    expect(readFileSync(smbConf, 'utf8')).toBe(configured);
  });

  it('rejects a configured key missing from the GNUPGHOME', async () => {
    const { smbConf, gnupgHome } = newFolder();
    writeFileSync(
      smbConf,
      addGlobalOption(smbConfText, `password hash gpg key ids = ${'A'.repeat(40)}`),
    );
    const error = await prepareSambaPasswordStore({ smbConf, gnupgHome }).catch(
      (failure: unknown) => failure,
    );
    expect(isUserPilotError(error, 'UP_PASSWORD_PREPARE_FAILED')).toBe(true);
  });

  it('rejects a missing smb.conf', async () => {
    const { gnupgHome } = newFolder();
    const error = await prepareSambaPasswordStore({
      smbConf: join(tmpdir(), 'no-such-dir', 'smb.conf'),
      gnupgHome,
    }).catch((failure: unknown) => failure);
    expect(isUserPilotError(error, 'UP_PASSWORD_PREPARE_FAILED')).toBe(true);
  });
});
