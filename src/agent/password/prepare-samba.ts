import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { UserPilotError } from '../../protocol/errors.ts';

/** Runs a program without a shell; returns its exit code and output. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  env: Record<string, string>,
) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface PrepareSambaOptions {
  /** smb.conf of the DC. */
  smbConf: string;
  /** GNUPGHOME that gets the key; Samba must use the same one (see the report's warnings). */
  gnupgHome: string;
  run?: CommandRunner;
}

export interface PrepareSambaReport {
  keyId: string;
  /** Steps taken, one sentence each, for the admin. */
  steps: string[];
  /** Checks and actions left to the admin. */
  warnings: string[];
}

const optionPattern = /^[ \t]*password hash gpg key ids[ \t]*=[ \t]*(.*)$/im;
const keyUid = 'UserPilot password capture <password-capture@userpilot.invalid>';

/**
 * Prepares a Samba DC for password capture: creates a GPG key without a passphrase in
 * `gnupgHome` (unless smb.conf names one already), adds `password hash gpg key ids` to
 * smb.conf's [global] section (keeping a copy of the old file). Samba must then be restarted,
 * which is left to the admin. Returns what it did and what remains, so the caller can print it.
 */
export async function prepareSambaPasswordStore(
  options: PrepareSambaOptions,
): Promise<PrepareSambaReport> {
  const run = options.run ?? runCommand;
  const text = readSmbConf(options.smbConf);
  const configured = optionPattern.exec(text)?.[1]?.trim();
  if (configured !== undefined && configured !== '') {
    return checkConfiguredKey(configured, options, run);
  }

  const steps: string[] = [];
  mkdirSync(options.gnupgHome, { recursive: true, mode: 0o700 });
  const keyId = await createKey(options.gnupgHome, run);
  steps.push(`Created GPG key ${keyId} without a passphrase in ${options.gnupgHome}.`);

  const backup = `${options.smbConf}.before-userpilot`;
  copyFileSync(options.smbConf, backup);
  writeSmbConf(options.smbConf, addGlobalOption(text, `password hash gpg key ids = ${keyId}`));
  steps.push(
    `Added "password hash gpg key ids = ${keyId}" to ${options.smbConf} (old file: ${backup}).`,
  );

  const warnings = [
    `Samba encrypts with the keyring of its own GNUPGHOME; make sure the samba process runs with GNUPGHOME=${options.gnupgHome} (root's default is /root/.gnupg).`,
  ];
  // Measured with Samba 4.17.12: after `smbcontrol samba reload-config` new passwords still
  // had no SambaGPG package; after a restart they had one.
  warnings.push(
    'Restart Samba (for example systemctl restart samba-ad-dc); a configuration reload does not make Samba 4.17 use this option.',
  );
  warnings.push("Passwords set before now cannot be captured; each user's next change is.");
  return { keyId, steps, warnings };
}

/** Adds an option as the first line of the [global] section. */
export function addGlobalOption(text: string, line: string): string {
  const global = /^[ \t]*\[global\][ \t]*$/im.exec(text);
  if (global === null) return `[global]\n\t${line}\n${text}`;
  const end = global.index + global[0].length;
  return `${text.slice(0, end)}\n\t${line}${text.slice(end)}`;
}

async function checkConfiguredKey(
  configured: string,
  options: PrepareSambaOptions,
  run: CommandRunner,
): Promise<PrepareSambaReport> {
  const keyId = configured.split(/[\s,]+/)[0] ?? configured;
  const listing = await run('gpg', ['--batch', '--list-secret-keys', '--with-colons', keyId], {
    GNUPGHOME: options.gnupgHome,
  });
  if (listing.code !== 0) {
    throw prepareFailed(
      `smb.conf names GPG key ${keyId}, but the secret key of that id is not found in ${options.gnupgHome}.`,
      `Point passwords.gnupgHome to the GNUPGHOME that holds it, or remove the option from ${options.smbConf} to create a new key.`,
    );
  }
  return {
    keyId,
    steps: [
      `smb.conf already names GPG key ${keyId}, and ${options.gnupgHome} holds its secret key; nothing changed.`,
    ],
    warnings: [],
  };
}

async function createKey(gnupgHome: string, run: CommandRunner): Promise<string> {
  const env = { GNUPGHOME: gnupgHome };
  const generate = await run(
    'gpg',
    ['--batch', '--passphrase', '', '--quick-generate-key', keyUid, 'default', 'default', 'never'],
    env,
  );
  if (generate.code !== 0) throw prepareFailed(`gpg failed to create a key: ${lastLine(generate)}`);
  const listing = await run('gpg', ['--batch', '--list-secret-keys', '--with-colons', keyUid], env);
  // The newest key of the uid is listed last; its fingerprint follows its `sec` line.
  const fingerprints = [...listing.stdout.matchAll(/^sec:[^\n]*\nfpr:+([0-9A-F]{40}):/gm)];
  const keyId = fingerprints.at(-1)?.[1];
  if (keyId === undefined) throw prepareFailed(`gpg listed no key for ${keyUid} in ${gnupgHome}.`);
  return keyId;
}

function readSmbConf(path: string): string {
  if (!existsSync(path)) {
    throw prepareFailed(`${path} does not exist.`, "Pass the DC's smb.conf with --smb-conf.");
  }
  return readFileSync(path, 'utf8');
}

/** Writes through a temporary file and a rename, so Samba never reads half a file. */
function writeSmbConf(path: string, text: string): void {
  const temporary = `${path}.userpilot-tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function lastLine(result: { stdout: string; stderr: string }): string {
  const lines = `${result.stderr}\n${result.stdout}`.trim().split('\n');
  return lines.at(-1)?.trim() || 'no output';
}

function prepareFailed(message: string, hint?: string): UserPilotError {
  return new UserPilotError(
    'UP_PASSWORD_PREPARE_FAILED',
    message,
    hint === undefined ? {} : { hint },
  );
}

function runCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}
