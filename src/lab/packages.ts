import { existsSync } from 'node:fs';
import type { Logger } from '../core/log.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { runCommand } from './command.ts';

/** The Debian packages of the lab DC and the programs the lab runs from them. */
export const labPackages = [
  'samba',
  'samba-ad-dc',
  'samba-ad-provision',
  'samba-dsdb-modules',
  'winbind',
  'krb5-user',
  'ldb-tools',
  'ldap-utils',
  'python3-gpg',
  'smbclient',
  'gnupg',
  'openssl',
  'iproute2',
] as const;

const requiredPrograms = [
  '/usr/sbin/samba',
  '/usr/bin/samba-tool',
  '/usr/bin/ldbsearch',
  '/usr/bin/ldbmodify',
  '/usr/bin/ldapmodify',
  '/usr/bin/gpg',
  '/usr/bin/openssl',
] as const;

/** Lists the lab programs that are missing, and whether samba-tool's Python has the gpg module. */
export async function missingPrograms(): Promise<string[]> {
  const missing: string[] = requiredPrograms.filter((path) => !existsSync(path));
  if (!existsSync('/usr/sbin/ip') && !existsSync('/usr/bin/ip')) missing.push('ip');
  const gpgModule = await runCommand('/usr/bin/python3', ['-c', 'import gpg']).catch(() => ({
    code: 1,
  }));
  if (gpgModule.code !== 0) missing.push('python3 gpg module');
  return missing;
}

/**
 * Installs the lab packages with apt-get when a program is missing. Without root or apt-get it
 * throws UP_LAB_SAMBA_MISSING naming the packages to install. `system` replaces the checks in
 * tests.
 */
export async function ensureLabPackages(
  log: Logger,
  setupLog: string,
  system: { findMissing?: () => Promise<string[]>; canInstall?: boolean } = {},
): Promise<void> {
  const findMissing = system.findMissing ?? missingPrograms;
  const missing = await findMissing();
  if (missing.length === 0) return;

  const install = `apt-get install --no-install-recommends ${labPackages.join(' ')}`;
  const canInstall =
    system.canInstall ?? (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get'));
  if (!canInstall) {
    throw new UserPilotError(
      'UP_LAB_SAMBA_MISSING',
      `Samba's AD DC programs are missing (${missing.join(', ')}).`,
      { hint: `Install them as root: ${install}`, details: { missing } },
    );
  }

  log.info({ count: missing.length }, 'lab: installing the Samba AD DC packages with apt-get');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const options = { env, logFile: setupLog, timeoutMs: 900_000 };
  const update = await runCommand('apt-get', ['update', '-q'], options);
  const result =
    update.code === 0
      ? await runCommand(
          'apt-get',
          ['install', '-y', '-q', '--no-install-recommends', ...labPackages],
          options,
        )
      : update;
  const still = await findMissing();
  if (result.code !== 0 || still.length > 0) {
    throw new UserPilotError(
      'UP_LAB_SAMBA_MISSING',
      `Installing Samba's AD DC packages with apt-get failed (still missing: ${still.join(', ') || 'none'}).`,
      { hint: `Read ${setupLog}, then run as root: ${install}`, details: { missing: still } },
    );
  }
}
