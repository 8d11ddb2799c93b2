import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserPilotError } from '../protocol/errors.ts';
import { inNamespace } from './command.ts';
import type { LabLayout } from './layout.ts';
import { namespacePids, processInNamespace } from './namespace.ts';
import {
  isRunning,
  processStartTicks,
  readPidFile,
  removePidFile,
  spawnDetached,
  stopProcess,
  waitUntilGone,
  waitUntilReaped,
  writePidFile,
  type ProcessRecord,
} from './processes.ts';

/** The long-running processes of a lab, each recorded in a PID file under `run/`. */
export type LabService = 'samba' | 'relay-inside' | 'relay-outside';

export const labServices: readonly LabService[] = ['samba', 'relay-inside', 'relay-outside'];

export function pidFile(layout: LabLayout, service: LabService): string {
  return join(layout.runDir, `${service}.pid`);
}

/** Returns the service's process record when it is running, undefined otherwise. */
export function runningService(layout: LabLayout, service: LabService): ProcessRecord | undefined {
  const record = readPidFile(pidFile(layout, service));
  if (record === undefined || !isRunning(record)) return undefined;
  if (service !== 'relay-outside' && !processInNamespace(record.pid, layout.namespace)) {
    return undefined;
  }
  return record;
}

/** Starts Samba in the foreground (`-F`) inside the namespace, detached from this process. */
export function startSamba(layout: LabLayout): ProcessRecord {
  const [ip, args] = inNamespace(layout.namespace, { GNUPGHOME: layout.gnupgHome }, 'samba', [
    '-s',
    layout.smbConf,
    '-F',
    '--no-process-group',
  ]);
  const record = spawnDetached(ip, args, { logFile: layout.sambaOut });
  writePidFile(pidFile(layout, 'samba'), record);
  return record;
}

const relayMain = join(import.meta.dirname, 'relay-main.ts');
// createRequire rather than import.meta.resolve, which vitest's module runner does not support.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function relayCommand(routes: readonly string[]): [string, string[]] {
  return [process.execPath, ['--import', tsxLoader, relayMain, ...routes]];
}

/** Starts the relay inside the namespace: Unix sockets in the lab folder to Samba's ports. */
export async function startInsideRelay(layout: LabLayout): Promise<ProcessRecord> {
  const [node, nodeArgs] = relayCommand([
    `unix:${layout.ldapsSocket}=tcp:127.0.0.1:636`,
    `unix:${layout.ldapSocket}=tcp:127.0.0.1:389`,
  ]);
  const [ip, args] = inNamespace(layout.namespace, {}, node, nodeArgs);
  return startRelayProcess(layout, 'relay-inside', ip, args);
}

/** Starts the relay outside: loopback ports of this machine to the relay sockets. */
export async function startOutsideRelay(
  layout: LabLayout,
  ports: { ldapsPort: number; ldapPort: number },
): Promise<ProcessRecord> {
  const [node, args] = relayCommand([
    `tcp:127.0.0.1:${ports.ldapsPort}=unix:${layout.ldapsSocket}`,
    `tcp:127.0.0.1:${ports.ldapPort}=unix:${layout.ldapSocket}`,
  ]);
  return startRelayProcess(layout, 'relay-outside', node, args);
}

/**
 * Throws UP_LAB_PORT_IN_USE when another program listens on a relay port, so `lab up` fails
 * before it starts Samba.
 */
export async function assertPortsFree(
  layout: LabLayout,
  ports: { ldapsPort: number; ldapPort: number },
): Promise<void> {
  for (const port of [ports.ldapsPort, ports.ldapPort]) {
    const error = await tryListen(port);
    if (error?.code === 'EADDRINUSE') {
      throw relayError(
        layout,
        'relay-outside',
        'EADDRINUSE',
        `port ${port} on 127.0.0.1 is already in use`,
      );
    }
  }
}

function tryListen(port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolvePromise(error));
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(undefined)));
  });
}

/**
 * Starts a relay and waits for its `relay ready` line. A relay that cannot listen exits with
 * code 3 for a port in use; that becomes UP_LAB_PORT_IN_USE.
 */
async function startRelayProcess(
  layout: LabLayout,
  service: LabService,
  command: string,
  args: readonly string[],
): Promise<ProcessRecord> {
  const offset = existsSync(layout.relayLog) ? statSync(layout.relayLog).size : 0;
  const record = spawnDetached(command, args, { logFile: layout.relayLog });
  writePidFile(pidFile(layout, service), record);

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const lines = readFileSync(layout.relayLog).subarray(offset).toString('utf8');
    if (lines.includes(`relay ready pid=${record.pid}`)) return record;
    const failure = new RegExp(`relay failed pid=${record.pid} code=(\\S+) (.*)`).exec(lines);
    if (failure !== null || !isRunning(record)) {
      removePidFile(pidFile(layout, service));
      throw relayError(layout, service, failure?.[1], failure?.[2]);
    }
    await sleep(100);
  }
  await stopProcess(record);
  throw relayError(layout, service, 'TIMEOUT', 'the relay did not report ready in 60 s');
}

function relayError(
  layout: LabLayout,
  service: LabService,
  code: string | undefined,
  message: string | undefined,
): UserPilotError {
  if (code === 'EADDRINUSE') {
    return new UserPilotError('UP_LAB_PORT_IN_USE', `The lab relay cannot listen: ${message}.`, {
      hint: `Stop the program that listens on the port, or pass --ldaps-port and --ldap-port (log: ${layout.relayLog}).`,
      details: { service, logFile: layout.relayLog },
    });
  }
  return new UserPilotError(
    'UP_LAB_COMMAND_FAILED',
    `The lab relay (${service}) did not start: ${message ?? 'it exited'}.`,
    { hint: `Read ${layout.relayLog}.`, details: { service, logFile: layout.relayLog } },
  );
}

/**
 * Stops every lab process: the relays and Samba by their recorded PIDs, then anything still
 * left inside the namespace (Samba's workers, a gpg-agent), which only the lab starts there.
 */
export async function stopServices(layout: LabLayout): Promise<void> {
  const stopped: ProcessRecord[] = [];
  for (const service of ['relay-outside', 'relay-inside', 'samba'] as const) {
    const record = runningService(layout, service);
    if (record !== undefined) {
      await stopProcess(record);
      stopped.push(record);
    }
    removePidFile(pidFile(layout, service));
  }
  await stopNamespaceProcesses(layout.namespace);
  // NOTE: a process that init has not reaped within this time stays listed as a zombie. A
  // zombie keeps no port, socket or file of the lab open.
  await waitUntilReaped(stopped, 30_000);
}

async function stopNamespaceProcesses(namespace: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let pids = await namespacePids(namespace);
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(200);
    pids = await namespacePids(namespace);
  }
  const records = pids.flatMap((pid) => {
    const ticks = processStartTicks(pid);
    return ticks === undefined ? [] : [{ pid, startTicks: ticks }];
  });
  for (const record of records) await stopProcess(record, 5_000);
  await waitUntilGone(records, 10_000);
}
