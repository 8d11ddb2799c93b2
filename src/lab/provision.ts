import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { inNamespace, runChecked, type RunOptions } from './command.ts';
import type { LabLayout } from './layout.ts';
import { labNames } from './layout.ts';

/** Runs a Samba tool inside the lab namespace with the lab's GNUPGHOME, logging its output. */
export async function runSambaTool(
  layout: LabLayout,
  command: string,
  args: readonly string[],
  options: Omit<RunOptions, 'logFile'> & { step: string },
): Promise<string> {
  const [ip, ipArgs] = inNamespace(
    layout.namespace,
    { GNUPGHOME: layout.gnupgHome },
    command,
    args,
  );
  const result = await runChecked(ip, ipArgs, { ...options, logFile: layout.setupLog });
  return result.stdout;
}

/** The smb.conf options the lab sets at provisioning, beyond those samba-tool writes. */
function labOptions(layout: LabLayout, gpgKeyId: string): string[] {
  const inside = (name: string) => join(layout.sambaDir, name);
  return [
    // Only loopback, and none of the services that send packets by themselves.
    'interfaces = lo',
    'bind interfaces only = yes',
    'server services = -dns -nbt -dnsupdate',
    // Every file Samba writes stays in the lab folder.
    `pid directory = ${inside('run')}`,
    `ncalrpc dir = ${inside('ncalrpc')}`,
    `ntp signd socket directory = ${layout.ntpSignd}`,
    `winbindd socket directory = ${inside('winbindd')}`,
    `smb passwd file = ${inside('private/smbpasswd')}`,
    `usershare path = ${inside('usershares')}`,
    `log file = ${layout.sambaLog}`,
    'max log size = 10000',
    // The lab's own certificate, which also names 127.0.0.1.
    'tls enabled = yes',
    `tls keyfile = ${layout.serverKey}`,
    `tls certfile = ${layout.serverCert}`,
    `tls cafile = ${layout.caFile}`,
    // Keeps every new password encrypted to the lab key, for password capture.
    `password hash gpg key ids = ${gpgKeyId}`,
  ];
}

/** Provisions the lab domain into `layout.sambaDir` (never /etc). */
export async function provisionDomain(
  layout: LabLayout,
  adminPassword: string,
  gpgKeyId: string,
): Promise<void> {
  for (const name of ['run', 'ncalrpc', 'winbindd', 'usershares', 'cache']) {
    mkdirSync(join(layout.sambaDir, name), { recursive: true });
  }
  const options = labOptions(layout, gpgKeyId).flatMap((option) => ['--option', option]);
  await runSambaTool(
    layout,
    'samba-tool',
    [
      'domain',
      'provision',
      '--targetdir',
      layout.sambaDir,
      '--realm',
      labNames.realm,
      '--domain',
      labNames.domain,
      '--host-name',
      labNames.dcHostName,
      '--server-role',
      'dc',
      '--dns-backend',
      'NONE',
      '--use-rfc2307',
      '--adminpass',
      adminPassword,
      ...options,
    ],
    { step: 'Provisioning the lab domain', secrets: [adminPassword], timeoutMs: 600_000 },
  );

  // Samba refuses to start when the ntp_signd folder is open to others.
  mkdirSync(layout.ntpSignd, { recursive: true });
  chmodSync(layout.ntpSignd, 0o750);
}

/**
 * Sets the domain password policy for tests: passwords may change at once (self-service
 * changes in tests), never expire (an archived lab keeps working), and five wrong passwords
 * lock an account for one minute (so tests can observe a lockout and move on).
 */
export async function setPasswordPolicy(layout: LabLayout): Promise<void> {
  await runSambaTool(
    layout,
    'samba-tool',
    [
      'domain',
      'passwordsettings',
      'set',
      '--min-pwd-age=0',
      '--max-pwd-age=0',
      '--account-lockout-threshold=5',
      '--account-lockout-duration=1',
      '--reset-account-lockout-after=1',
      '-H',
      layout.samLdb,
      '-s',
      layout.smbConf,
    ],
    { step: 'Setting the password policy' },
  );
}
