import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createLogger } from '../../../src/core/log.ts';
import { HostedService } from '../../../src/hosted/index.ts';
import type { LabFacts } from '../../../src/lab/facts.ts';
import { initServer, type InitServerResult } from '../../../src/server/init.ts';
import { resolveDataPath } from '../../../src/server/server-config.ts';
import { openStore, type Store } from '../../../src/store/store.ts';

const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'userpilot.js');
const quietLogger = () => createLogger({ level: 'warn' });

/** A free TCP port on 127.0.0.1, so a restarted server can listen on the same one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a `userpilot` child process and resolves once a stdout or stderr line matches. */
export function spawnUserpilot(
  args: string[],
  ready: RegExp,
  options: { onLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; ready: Promise<void>; output: string[] } {
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  const output: string[] = [];
  const ready$ = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      output.push(line);
      options.onLine?.(line);
      if (ready.test(line)) resolve();
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `userpilot ${args.join(' ')} exited (${code ?? signal}):\n${output.slice(-20).join('\n')}`,
        ),
      ),
    );
  });
  return { child, ready: ready$, output };
}

/** Stops a child process by its PID and waits for it to exit. */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** A hosted service in a temporary data folder, run as its own process, and its store. */
export class HostedHarness {
  server: ChildProcess | undefined;
  private constructor(
    readonly dataDir: string,
    readonly init: InitServerResult,
    readonly port: number,
    readonly store: Store,
    readonly service: HostedService,
  ) {}

  static async create(): Promise<HostedHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'up-e2e-service-'));
    const port = await freePort();
    const init = await initServer({ dataDir, listen: `127.0.0.1:${port}`, logger: quietLogger() });
    const store = await openStore({ url: resolveDataPath(dataDir, init.database) });
    const service = new HostedService({ store, logger: quietLogger() });
    return new HostedHarness(dataDir, init, port, store, service);
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get tenantId(): string {
    return this.init.tenant.id;
  }

  async start(): Promise<void> {
    const started = spawnUserpilot(['server', 'start', '--data', this.dataDir], /listening on/);
    this.server = started.child;
    await started.ready;
  }

  async stop(): Promise<void> {
    if (this.server !== undefined) await stopChild(this.server);
    this.server = undefined;
  }

  async close(): Promise<void> {
    await this.stop();
    await this.store.close();
  }
}

export interface AgentConfigInput {
  hosted: HostedHarness;
  lab: LabFacts;
  scopeDn?: string;
  pollSeconds?: number;
  progressSeconds?: number;
  installPassword?: string;
  url?: string;
  trust?: { fingerprint?: string; caFile?: string };
}

/** Writes an agent configuration (mode 0600) with its own state folder; returns its path. */
export function writeAgentConfig(input: AgentConfigInput): { path: string; stateDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'up-e2e-agent-'));
  const stateDir = join(dir, 'state');
  const config = {
    stateDir,
    service: {
      url: input.url ?? input.hosted.url,
      installUser: input.hosted.init.agentInstall.user,
      installPassword: input.installPassword ?? input.hosted.init.agentInstall.password,
      ...(input.trust ?? { fingerprint: input.hosted.init.tls.fingerprintSha256 }),
      timeoutSeconds: 10,
    },
    directory: {
      url: input.lab.ldapsUrl,
      bindDn: input.lab.bindUpn,
      bindPassword: input.lab.bindPassword,
      caFile: input.lab.caFile,
      scopeDn: input.scopeDn ?? input.lab.scopeDn,
      pollSeconds: input.pollSeconds ?? 1,
    },
    sync: { heartbeatSeconds: 5, retryMaxSeconds: 5, progressSeconds: input.progressSeconds ?? 5 },
    log: { level: 'info', syslog: { mode: 'off' } },
  };
  const path = join(dir, 'agent.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  chmodSync(path, 0o600);
  return { path, stateDir };
}

/** Waits until `check` returns true, polling every 500 ms, for at most `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Every present directory object the service holds for the tenant. */
export async function hostedObjects(hosted: HostedHarness) {
  const objects = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await hosted.service.directory.list(hosted.tenantId, {
      state: 'present',
      limit: 500,
      ...(cursor === undefined ? {} : { cursor }),
    });
    objects.push(...page.items);
    if (page.nextCursor === null || page.nextCursor === undefined) return objects;
    cursor = page.nextCursor;
  }
}
