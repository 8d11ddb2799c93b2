/**
 * Splits the time of one agent API batch between the HTTP layer and the hosted service, to show
 * which one bounds ingest. It times, per batch of 1,000 records on a SQLite store:
 * - `service`: HostedService.runs.applyBatch called in-process;
 * - `http layer`: the same batch over HTTPS to a server whose applyBatch returns at once, so
 *   only TLS, JSON parsing, schema validation and serialization are counted.
 *
 *   npx tsx bench/ingest/split.ts [--batches 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import {
  argon2idHasher,
  HostedService,
  type BatchInput,
  type RunRef,
} from '../../src/hosted/index.ts';
import { agentRoutes, runRoute } from '../../src/protocol/agent-api.ts';
import type { DirectoryUserRecord } from '../../src/protocol/records.ts';
import { buildServer, type BuildServerOptions } from '../../src/server/app.ts';
import { createLabCertificate } from '../../src/server/tls-certificate.ts';
import { openStore } from '../../src/store/store.ts';
import { AgentHttp } from '../../test/server/support/agent-http.ts';
import { makeRecord } from '../../test/server/support/records.ts';

const { values } = parseArgs({ options: { batches: { type: 'string', default: '20' } } });
const batchCount = Number(values.batches);
const logger = createLogger({ level: 'warn' });
const batches: DirectoryUserRecord[][] = Array.from({ length: batchCount }, (_, batch) =>
  Array.from({ length: 1000 }, (_, index) => makeRecord(batch * 1000 + index, 'bench.example')),
);

const serviceMs = await timeService();
const httpMs = await timeHttpLayer();
console.table([
  { part: 'service (applyBatch)', ...summarize(serviceMs) },
  { part: 'http layer', ...summarize(httpMs) },
]);

async function timeService(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-split-'));
  const store = await openStore({ url: join(dir, 'store.sqlite') });
  try {
    const hasher = argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const service = new HostedService({ store, logger, hasher });
    const system = { kind: 'system' } as const;
    const tenant = await service.tenants.create({ name: 'Split' }, system);
    await service.domains.register(tenant.id, 'bench.example', system);
    const install = await service.agents.createInstallCredentials(tenant.id, system);
    const hello = { host: 'bench', dc: 'dc', version: '0.1.0' };
    const agent = await service.agents.register(install.user, install.password, hello);
    if (agent === null) throw new Error('registration failed');
    const lease = await service.lease.acquire(tenant.id, agent.agentId, 600_000);
    const epoch = lease.lease.epoch;
    const run = await service.runs.start(tenant.id, agent.agentId, epoch, 'full');
    const ref: RunRef = { tenantId: tenant.id, agentId: agent.agentId, runId: run.id, epoch };

    const times: number[] = [];
    for (const records of batches) {
      const input: BatchInput = { records, removals: [], manifest: records.map((r) => r.anchor) };
      const started = performance.now();
      await service.runs.applyBatch(ref, input);
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeHttpLayer(): Promise<number[]> {
  const certificate = await createLabCertificate('localhost', systemClock);
  const app = await buildServer({
    service: noOpService(),
    logger,
    tls: certificate,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const http = new AgentHttp(`https://127.0.0.1:${port}`, certificate.certificatePem, systemClock);
  try {
    const times: number[] = [];
    for (const [index, records] of batches.entries()) {
      const body = {
        epoch: 1,
        sequence: index + 1,
        records,
        removals: [],
        manifest: records.map((record) => record.anchor),
      };
      const started = performance.now();
      await http.ok({ path: runRoute(agentRoutes.runBatch, 'run'), body, credential: 'bench' });
      times.push(performance.now() - started);
    }
    return times;
  } finally {
    http.close();
    await app.close();
  }
}

/** A service whose credential check and applyBatch return at once; only for this split. */
function noOpService(): BuildServerOptions['service'] {
  const agent = { id: 'agent', tenantId: 'tenant', revokedAt: null };
  return {
    agents: { verifyCredential: () => Promise.resolve(agent) },
    runs: {
      get: () => Promise.resolve({ kind: 'full' }),
      applyBatch: (_ref: RunRef, batch: BatchInput) =>
        Promise.resolve({
          runId: 'run',
          results: (batch.records ?? []).map((record) => ({
            anchor: record.anchor,
            status: 'unchanged' as const,
          })),
        }),
    },
  } as unknown as BuildServerOptions['service'];
}

function summarize(times: number[]): { medianMs: number; p90Ms: number; objectsPerSecond: number } {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
  const median = at(0.5);
  return {
    medianMs: Math.round(median),
    p90Ms: Math.round(at(0.9)),
    objectsPerSecond: Math.round(1000 / (median / 1000)),
  };
}
