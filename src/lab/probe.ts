import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { UserPilotError } from '../protocol/errors.ts';

export interface ProbeTarget {
  ldapsUrl: string;
  caFile: string;
  adminDn: string;
  adminPassword: string;
  logFile: string;
  /** Samba's standard output and error, where start-up failures are written. */
  outputFile: string;
}

/**
 * Checks that LDAPS answers: a TLS handshake that verifies the DC's certificate against the lab
 * CA, and a simple bind as Administrator. Returns the failure instead of throwing.
 */
export async function probeLdaps(target: ProbeTarget): Promise<Error | undefined> {
  const client = new Client({
    url: target.ldapsUrl,
    connectTimeout: 5_000,
    timeout: 10_000,
    tlsOptions: { ca: [readFileSync(target.caFile)] },
  });
  try {
    await client.bind(target.adminDn, target.adminPassword);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * Waits until LDAPS responds. Throws UP_LAB_START_TIMEOUT naming Samba's log file when time
 * runs out, or at once when `isSambaRunning` reports that Samba has exited.
 */
export async function waitForLdaps(
  target: ProbeTarget,
  timeoutMs: number,
  isSambaRunning: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  while (Date.now() < deadline) {
    lastError = await probeLdaps(target);
    if (lastError === undefined) return;
    if (!isSambaRunning()) {
      throw new UserPilotError('UP_LAB_START_TIMEOUT', 'Samba exited before LDAPS responded.', {
        hint: `Read ${target.logFile} and ${target.outputFile}, then run \`userpilot lab up\` again.`,
        details: { url: target.ldapsUrl, logFile: target.logFile },
      });
    }
    await sleep(500);
  }
  throw new UserPilotError(
    'UP_LAB_START_TIMEOUT',
    `LDAPS at ${target.ldapsUrl} did not answer within ${Math.round(timeoutMs / 1000)} s (last error: ${lastError?.message ?? 'none'}).`,
    {
      hint: `Read ${target.logFile}, then run \`userpilot lab down\` and \`userpilot lab up\` again.`,
      details: { url: target.ldapsUrl, logFile: target.logFile },
    },
  );
}
