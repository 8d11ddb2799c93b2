import type { Command } from 'commander';
import { prepareSambaPasswordStore } from '../agent/password/prepare-samba.ts';

interface PrepareFlags {
  smbConf: string;
  gnupgHome: string;
}

/** Registers `userpilot passwords prepare`, which readies a Samba DC for password capture. */
export function registerPasswordCommands(program: Command): void {
  const passwords = program
    .command('passwords')
    .description('Password capture on a Samba AD DC (run as root on the DC).');
  passwords
    .command('prepare')
    .description(
      'Create a GPG key without a passphrase and add "password hash gpg key ids" to smb.conf, ' +
        'so that after a restart Samba keeps each new password encrypted for the agent.',
    )
    .option('--smb-conf <file>', "the DC's smb.conf", '/etc/samba/smb.conf')
    .option('--gnupg-home <dir>', 'GNUPGHOME for the key; Samba must use the same', '/root/.gnupg')
    .action(async (flags: PrepareFlags) => {
      const report = await prepareSambaPasswordStore({
        smbConf: flags.smbConf,
        gnupgHome: flags.gnupgHome,
      });
      for (const step of report.steps) process.stdout.write(`${step}\n`);
      for (const warning of report.warnings) process.stdout.write(`Note: ${warning}\n`);
      process.stdout.write(
        `Set "passwords": {"enabled": true, "gnupgHome": "${flags.gnupgHome}"} in the agent configuration.\n`,
      );
    });
}
