import { mkdirSync } from 'node:fs';
import { inNamespace, runChecked, runCommand } from './command.ts';

/**
 * Creates the GPG key Samba encrypts captured passwords to: no passphrase, made in batch mode,
 * kept in a GNUPGHOME inside the lab folder. Runs inside the lab namespace like every other lab
 * command. `default default` makes a signing primary key with an encryption subkey. Returns the
 * primary key's fingerprint.
 */
export async function createGpgKey(
  namespace: string,
  gnupgHome: string,
  setupLog: string,
): Promise<string> {
  mkdirSync(gnupgHome, { recursive: true, mode: 0o700 });
  const env = { GNUPGHOME: gnupgHome };
  const [ip, generate] = inNamespace(namespace, env, 'gpg', [
    '--batch',
    '--passphrase',
    '',
    '--quick-generate-key',
    'UserPilot lab password store <password-store@userpilot.test>',
    'default',
    'default',
    'never',
  ]);
  await runChecked(ip, generate, { step: 'Creating the GPG key', logFile: setupLog });

  const [, list] = inNamespace(namespace, env, 'gpg', ['--batch', '--list-keys', '--with-colons']);
  const listing = await runChecked(ip, list, { step: 'Reading the GPG key', logFile: setupLog });
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing.stdout)?.[1];
  if (fingerprint === undefined) throw new Error(`gpg listed no key in ${gnupgHome}`);
  return fingerprint;
}

/** Stops the gpg-agent that gpg starts for the lab's GNUPGHOME, so no process is left. */
export async function stopGpgAgent(namespace: string, gnupgHome: string): Promise<void> {
  const [ip, args] = inNamespace(namespace, { GNUPGHOME: gnupgHome }, 'gpgconf', ['--kill', 'all']);
  await runCommand(ip, args);
}
