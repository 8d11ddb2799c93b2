import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UserPilotError } from '../../protocol/errors.ts';

/** The key file's name inside the agent's state folder. */
export const outboxKeyFileName = 'password-outbox.key';

/** The AES-256 key length in bytes. */
export const outboxKeyBytes = 32;

/** The path of the key file in a state folder. */
export function outboxKeyPath(stateDir: string): string {
  return join(stateDir, outboxKeyFileName);
}

/**
 * Reads the key that seals queued passwords, creating it (mode 0600, 256 random bits as hex)
 * when the file does not exist. A key file that group or others may read, or that holds no
 * 256-bit key, is rejected, because queued passwords are only as safe as this file.
 */
export function loadOrCreateOutboxKey(path: string): Buffer {
  const created = createKeyFile(path);
  if (created !== undefined) return created;
  return readKeyFile(path);
}

/** Creates the key file exclusively; returns undefined when it exists already. */
function createKeyFile(path: string): Buffer | undefined {
  let fd: number;
  try {
    // 'wx' fails when the file exists, so two processes starting at once keep one key.
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return undefined;
    throw error;
  }
  try {
    const key = randomBytes(outboxKeyBytes);
    writeSync(fd, `${key.toString('hex')}\n`);
    return key;
  } finally {
    closeSync(fd);
  }
}

function readKeyFile(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const mode = fstatSync(fd).mode;
    if ((mode & 0o077) !== 0) {
      throw new UserPilotError(
        'UP_PASSWORD_KEY_INSECURE',
        `The password outbox key file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}).`,
        { hint: `Run chmod 600 ${path}.`, details: { path, mode: mode & 0o777 } },
      );
    }
    const text = readFileSync(fd, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/i.test(text)) {
      throw new UserPilotError(
        'UP_PASSWORD_KEY_INVALID',
        `The password outbox key file ${path} does not hold a 256-bit key in hexadecimal.`,
        {
          hint: 'Delete the file; the agent creates a new key, and passwords queued under the old one are dropped.',
          details: { path },
        },
      );
    }
    return Buffer.from(text, 'hex');
  } finally {
    closeSync(fd);
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}
