import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserPilotError } from '../protocol/errors.ts';
import { processStartTicks } from './processes.ts';

/**
 * Runs `action` while holding the lab's lock file, so two processes that bring up the same lab
 * at once (parallel test runs) never both provision or start it. The file holds the owner's
 * PID and start time; a lock whose owner is gone is taken over.
 */
export async function withLabLock<T>(
  lockFile: string,
  action: () => Promise<T>,
  timeoutMs = 900_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryLock(lockFile)) {
    if (Date.now() > deadline) {
      throw new UserPilotError('UP_LAB_BUSY', `The lab lock ${lockFile} is still held.`, {
        hint: `Wait for the other lab command (PID ${readOwner(lockFile) ?? 'unknown'}) to finish.`,
      });
    }
    await sleep(250);
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function tryLock(lockFile: string): boolean {
  try {
    const fd = openSync(lockFile, 'wx', 0o600);
    writeSync(fd, `${process.pid} ${processStartTicks(process.pid) ?? ''}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (ownerAlive(lockFile)) return false;
  // The owner died without releasing the lock, so the next exclusive create may take it.
  // NOTE: two waiters that find the same stale lock at the same instant can both remove it, and
  // the second removal can then delete the lock the first waiter just took. This needs a crashed
  // owner and two waiters within milliseconds of each other.
  rmSync(lockFile, { force: true });
  return false;
}

function readOwner(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function ownerAlive(lockFile: string): boolean {
  const owner = readOwner(lockFile);
  // A lock file without content is being written right now, unless it is old: then its owner
  // died between creating and writing it.
  if (owner === undefined) return lockAgeMs(lockFile) < 10_000;
  const [pid, ticks] = owner.split(' ');
  const current = processStartTicks(Number.parseInt(pid ?? '', 10));
  return current !== undefined && current === ticks;
}

function lockAgeMs(lockFile: string): number {
  try {
    return Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return 0;
  }
}
