import { spawn } from 'node:child_process';
import { UserPilotError } from '../../protocol/errors.ts';

export interface GpgOptions {
  /** GNUPGHOME holding the secret key named in smb.conf's `password hash gpg key ids`. */
  gnupgHome: string;
  /** The gpg program; default `gpg` from PATH. */
  gpgPath?: string;
  /** Time allowed for one decryption, in milliseconds; default 30 s. */
  timeoutMs?: number;
}

/**
 * Decrypts one Samba GPG package with `gpg --decrypt`. The ciphertext goes in on standard
 * input and the clear text comes back on standard output, so it never touches a file; gpg's
 * standard error (key ids and status, never the clear text) is kept for the error message.
 */
export function gpgDecrypt(ciphertext: Buffer, options: GpgOptions): Promise<Buffer> {
  const gpg = options.gpgPath ?? 'gpg';
  const args = ['--batch', '--quiet', '--no-tty', '--pinentry-mode', 'loopback', '--decrypt'];
  return new Promise((resolve, reject) => {
    const child = spawn(gpg, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GNUPGHOME: options.gnupgHome },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
    });
    const output: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', (error) => reject(gpgFailed(options.gnupgHome, error.message)));
    child.on('close', (status, signal) => {
      const plain = Buffer.concat(output);
      output.forEach((chunk) => chunk.fill(0));
      if (status === 0) {
        resolve(plain);
        return;
      }
      plain.fill(0);
      const reason = Buffer.concat(errors).toString('utf8').trim().split('\n').slice(-3).join(' ');
      reject(gpgFailed(options.gnupgHome, `${gpg} exited with ${status ?? signal}: ${reason}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(ciphertext);
  });
}

function gpgFailed(gnupgHome: string, reason: string): UserPilotError {
  return new UserPilotError(
    'UP_PASSWORD_GPG_FAILED',
    `Decrypting a captured password failed: ${reason}`,
    {
      hint: `Check that GNUPGHOME ${gnupgHome} holds the secret key named in smb.conf's "password hash gpg key ids", without a passphrase.`,
      details: { gnupgHome },
    },
  );
}
