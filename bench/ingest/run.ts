/**
 * Agent API ingest bench: sends object states through the agent API over HTTPS, in batches of
 * 1,000, to a `userpilot server start` process on SQLite and on PostgreSQL, and reports objects
 * per second and the server's peak RSS (VmHWM from /proc). Run:
 *
 *   npx tsx bench/ingest/run.ts [--objects 100000] [--stores sqlite,postgres]
 *
 * PostgreSQL is the test server at 127.0.0.1:5432 (trust authentication); a database of its own
 * is created and dropped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { argon2idHasher, HostedService } from '../../src/hosted/index.ts';
import { openStore } from '../../src/store/store.ts';
import { agentRoutes, maxBatchObjects, runRoute } from '../../src/protocol/agent-api.ts';
import type { BatchResponse } from '../../src/protocol/batch.ts';
import type { DirectoryUserRecord } from '../../src/protocol/records.ts';
import type { LeaseResponse } from '../../src/protocol/lease.ts';
import type { RunEndResponse, RunKind, RunStartResponse } from '../../src/protocol/runs.ts';
import type { SignInResponse } from '../../src/protocol/sign-in.ts';
import { initServer, type InitServerResult } from '../../src/server/init.ts';
import { createTestDatabase } from '../../test/support/postgres.ts';
import { AgentHttp } from '../../test/server/support/agent-http.ts';
import { makeRecord } from '../../test/server/support/records.ts';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'userpilot.js');

interface PassResult {
  store: string;
  pass: string;
  objects: number;
  seconds: number;
  objectsPerSecond: number;
  serverPeakRssMb: number;
}

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '100000' },
    stores: { type: 'string', default: 'sqlite,postgres' },
  },
});
const objectCount = Number(values.objects);
const results: PassResult[] = [];

for (const store of values.stores.split(',')) {
  results.push(...(await benchStore(store.trim())));
}

console.log(
  `\nmachine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.table(results);

async function benchStore(store: string): Promise<PassResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-bench-'));
  const database = store === 'postgres' ? await createTestDatabase() : undefined;
  try {
    const init = await initServer({
      dataDir: join(dir, 'service'),
      hostname: 'localhost',
      logger: createLogger({ level: 'warn' }),
      hasher: argon2idHasher(),
      ...(database === undefined ? {} : { database: database.url }),
    });
    await registerDomain(init, database?.url ?? join(init.dataDir, init.database));
    const server = await startServer(init.dataDir);
    try {
      return await runPasses(store, init, server);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await database?.drop();
  }
}

async function runPasses(
  store: string,
  init: InitServerResult,
  server: { url: string; child: ChildProcess },
): Promise<PassResult[]> {
  const ca = readFileSync(join(init.dataDir, init.tls.certFile), 'utf8');
  const http = new AgentHttp(server.url, ca, systemClock);
  try {
    const { credential } = await http.ok<SignInResponse>({
      path: agentRoutes.signIn,
      body: {
        userName: init.agentInstall.user,
        password: init.agentInstall.password,
        agent: { host: 'bench', dc: 'dc-bench', version: '0.1.0' },
      },
    });
    const lease = await http.ok<LeaseResponse>({
      path: agentRoutes.leaseAcquire,
      body: {},
      credential,
    });
    const session = {
      http,
      credential,
      epoch: lease.lease.epoch,
      ttlSeconds: lease.lease.ttlSeconds,
    };
    // NOTE: the objects are eligible but stay unlinked (no Autolink or Autocreate policy), so
    // no mailbox is written: the bench measures the agent API and the directory store.
    const passes: [string, RunKind, (index: number) => DirectoryUserRecord][] = [
      ['create (full run)', 'full', (index) => makeRecord(index, 'bench.example')],
      [
        'update (delta run)',
        'delta',
        (index) => makeRecord(index, 'bench.example', { title: 'Senior engineer' }),
      ],
      [
        'resend unchanged (delta run)',
        'delta',
        (index) => makeRecord(index, 'bench.example', { title: 'Senior engineer' }),
      ],
    ];
    const results: PassResult[] = [];
    for (const [pass, kind, recordOf] of passes) {
      const seconds = await sendRun(session, kind, recordOf);
      results.push({
        store,
        pass,
        objects: objectCount,
        seconds: Number(seconds.toFixed(2)),
        objectsPerSecond: Math.round(objectCount / seconds),
        serverPeakRssMb: peakRssMb(server.child.pid),
      });
      console.log(JSON.stringify(results.at(-1)));
    }
    return results;
  } finally {
    http.close();
  }
}

async function sendRun(
  session: BenchSession,
  kind: RunKind,
  recordOf: (index: number) => DirectoryUserRecord,
): Promise<number> {
  const { http, credential, epoch } = session;
  const started = performance.now();
  const { runId } = await http.ok<RunStartResponse>({
    path: agentRoutes.runStart,
    body: { kind, epoch },
    credential,
  });
  let sequence = 0;
  let renewedAt = performance.now();
  for (let first = 0; first < objectCount; first += maxBatchObjects) {
    sequence += 1;
    // Renew at a third of the time-to-live, as the agent's lease keeper does.
    if (performance.now() - renewedAt > (session.ttlSeconds * 1000) / 3) {
      await renewLease(session);
      renewedAt = performance.now();
    }
    const records: DirectoryUserRecord[] = [];
    for (let index = first; index < Math.min(first + maxBatchObjects, objectCount); index += 1) {
      records.push(recordOf(index));
    }
    const manifest = kind === 'full' ? records.map((record) => record.anchor) : undefined;
    const response = await http.ok<BatchResponse>({
      path: runRoute(agentRoutes.runBatch, runId),
      body: {
        epoch,
        sequence,
        records,
        removals: [],
        ...(manifest === undefined ? {} : { manifest }),
      },
      credential,
    });
    const rejected = response.results.filter((result) => result.status === 'rejected');
    if (rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(rejected[0])}`);
  }
  await http.ok<RunEndResponse>({
    path: runRoute(agentRoutes.runEnd, runId),
    body: {
      epoch,
      complete: true,
      counts: { batches: sequence, records: objectCount, removals: 0, manifest: objectCount },
    },
    credential,
  });
  return (performance.now() - started) / 1000;
}

/** Registers the records' mail domain, so every object is eligible as in a real tenant. */
async function registerDomain(init: InitServerResult, storeUrl: string): Promise<void> {
  const store = await openStore({ url: storeUrl });
  try {
    const service = new HostedService({ store, logger: createLogger({ level: 'warn' }) });
    await service.domains.register(init.tenant.id, 'bench.example', { kind: 'system' });
  } finally {
    await store.close();
  }
}

interface BenchSession {
  http: AgentHttp;
  credential: string;
  epoch: number;
  ttlSeconds: number;
}

async function renewLease(session: BenchSession): Promise<void> {
  const renewed = await session.http.ok<LeaseResponse>({
    path: agentRoutes.leaseRenew,
    body: { epoch: session.epoch },
    credential: session.credential,
  });
  if (!renewed.granted) throw new Error(`lease lost: ${JSON.stringify(renewed)}`);
}

function startServer(dataDir: string): Promise<{
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}> {
  const child = spawn(
    process.execPath,
    [bin, 'server', 'start', '--data', dataDir, '--listen', '127.0.0.1:0'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, USERPILOT_LOG_LEVEL: 'warn' } },
  );
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (\S+)/.exec(stdout);
      if (match?.[1] !== undefined) resolve({ child, url: match[1], exited });
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** The peak resident set of a process so far (VmHWM), in MiB. */
function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kilobytes / 1024);
}
