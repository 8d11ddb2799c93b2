import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserPilotError } from '../protocol/errors.ts';

const lockFileName = 'agent.lock';

/**
 * Takes the state folder for this process: a lock file holding the PID, created exclusively.
 * A lock left by a process that no longer runs (after kill -9 or a reboot) is taken over.
 * Returns a function that releases it.
 */
export function lockStateDir(stateDir: string): () => void {
  const path = join(stateDir, lockFileName);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => unlinkSafely(path);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && processRuns(holder)) {
        throw new UserPilotError(
          'UP_AGENT_STATE_LOCKED',
          `Another agent process (PID ${holder}) already uses the state folder ${stateDir}.`,
          {
            hint: 'Stop that process, or give this agent another stateDir.',
            details: { pid: holder, stateDir },
          },
        );
      }
      unlinkSafely(path);
    }
  }
  throw new Error(`Cannot lock the state folder ${stateDir}.`);
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function unlinkSafely(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
