/**
 * Shared set-up of the agent benchmarks: a hosted service in a temporary data folder run as its
 * own process, an agent configuration for a lab OU, and peak RSS of a child process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLogger } from '../src/core/log.ts';
import { HostedService } from '../src/hosted/index.ts';
import type { LabFacts } from '../src/lab/facts.ts';
import { initServer, type InitServerResult } from '../src/server/init.ts';
import { resolveDataPath } from '../src/server/server-config.ts';
import { openStore, type Store } from '../src/store/store.ts';

const bin = join(import.meta.dirname, '..', 'bin', 'userpilot.js');

export interface BenchService {
  init: InitServerResult;
  url: string;
  service: HostedService;
  store: Store;
  child: ChildProcess;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns `userpilot ARGS` and resolves once an output line matches `ready`. */
export function spawnUserpilot(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    const onLine = (line: string) => {
      lines.push(line);
      if (ready.test(line)) resolve(child);
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code) =>
      reject(new Error(`userpilot ${args[0]} exited (${code}): ${lines.slice(-5).join('\n')}`)),
    );
  });
}

/** Starts the hosted service as a child process on SQLite and registers the lab's mail domain. */
export async function startBenchService(lab: LabFacts): Promise<BenchService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'up-bench-service-'));
  const port = await freePort();
  const logger = createLogger({ level: 'warn' });
  const init = await initServer({ dataDir, listen: `127.0.0.1:${port}`, logger });
  const store = await openStore({ url: resolveDataPath(dataDir, init.database) });
  const service = new HostedService({ store, logger });
  await service.domains.register(init.tenant.id, lab.mailDomain, { kind: 'system' });
  const child = await spawnUserpilot(['server', 'start', '--data', dataDir], /listening on/);
  return {
    init,
    url: `https://127.0.0.1:${port}`,
    service,
    store,
    child,
    close: async () => {
      await stopChild(child);
      await store.close();
    },
  };
}

/** Writes an agent configuration (mode 0600) for `scopeDn`; returns its path. */
export function writeBenchAgentConfig(
  lab: LabFacts,
  hosted: BenchService,
  scopeDn: string,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'up-bench-agent-'));
  const path = join(dir, 'agent.json');
  const config = {
    stateDir: join(dir, 'state'),
    service: {
      url: hosted.url,
      installUser: hosted.init.agentInstall.user,
      installPassword: hosted.init.agentInstall.password,
      fingerprint: hosted.init.tls.fingerprintSha256,
    },
    directory: {
      url: lab.ldapsUrl,
      bindDn: lab.bindUpn,
      bindPassword: lab.bindPassword,
      caFile: lab.caFile,
      scopeDn,
    },
    log: { level: 'info', syslog: { mode: 'off' } },
  };
  writeFileSync(path, JSON.stringify(config));
  chmodSync(path, 0o600);
  return path;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Peak resident set size of a running process, in MiB (VmHWM of /proc/PID/status). */
export function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? Number.NaN : Math.round(Number(match[1]) / 1024);
}

export function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}
