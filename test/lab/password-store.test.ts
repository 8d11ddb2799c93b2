import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import type { LabFacts } from '../../src/lab/facts.ts';
import { labLayout } from '../../src/lab/layout.ts';
import { parseLdif } from '../../src/lab/ldif.ts';
import { describeLab, labFacts } from '../support/lab.ts';

const run = promisify(execFile);

describeLab('lab GPG password store', () => {
  let facts: LabFacts;
  beforeAll(() => {
    facts = labFacts();
  });

  it('keeps a seeded password decryptable with the lab key', async () => {
    const layout = labLayout(facts.dir);
    const env = ['env', `GNUPGHOME=${facts.gnupgHome}`];
    const inLab = (command: string[]) =>
      run('ip', ['netns', 'exec', facts.namespace, ...env, ...command]);
    try {
      const { stdout } = await inLab([
        'samba-tool',
        'user',
        'getpassword',
        'paula.passwort',
        '-H',
        layout.samLdb,
        '--decrypt-samba-gpg',
        '--attributes=virtualClearTextUTF8',
      ]);
      const password = parseLdif(stdout)[0]?.get('virtualClearTextUTF8')?.[0];
      expect(password).toBe(facts.userPasswords['paula.passwort']);
    } finally {
      // Decrypting starts a gpg-agent inside the namespace; stop it so no process is left.
      await inLab(['gpgconf', '--kill', 'all']);
    }
  });

  it('names the GPG key in smb.conf', async () => {
    const { stdout } = await run('testparm', [
      '-s',
      '--parameter-name=password hash gpg key ids',
      labLayout(facts.dir).smbConf,
    ]);
    expect(stdout.trim()).toBe(facts.gpgKeyId);
  });
});
