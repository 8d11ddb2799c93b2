import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { agentRoutes, runRoute } from '../../src/protocol/agent-api.ts';
import type { BatchResponse } from '../../src/protocol/batch.ts';
import type { LeaseResponse } from '../../src/protocol/lease.ts';
import type {
  RunEndResponse,
  RunStartResponse,
  RunStatusResponse,
} from '../../src/protocol/runs.ts';
import type { SignInResponse } from '../../src/protocol/sign-in.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { AgentHttp, errorOf } from './support/agent-http.ts';
import { makeRecord } from './support/records.ts';
import { createTestTenant, startTestServer, type TestServer } from './support/test-server.ts';

/**
 * Two service instances on one PostgreSQL database, as behind a load balancer. The agent sends
 * each request to the other instance in turn, so any state an instance kept only in its own
 * memory would break the lease or the run.
 */
describe('two service instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let servers: TestServer[];
  let clients: AgentHttp[];
  let turn = 0;
  // Each call goes to the next instance, round-robin.
  const next = (): AgentHttp => clients[turn++ % clients.length]!;

  beforeAll(async () => {
    database = await createTestDatabase();
    servers = [
      await startTestServer({ storeUrl: database.url, clock: systemClock }),
      await startTestServer({ storeUrl: database.url, clock: systemClock }),
    ];
    clients = servers.map((server) => new AgentHttp(server.url, server.ca, systemClock));
  });

  afterAll(async () => {
    for (const client of clients ?? []) client.close();
    for (const server of servers ?? []) await server.close();
    await database?.drop();
  });

  it('keep one lease and one consistent run', async () => {
    const tenant = await createTestTenant(servers[0]!.service, 'Balanced');
    const signIn = async (host: string): Promise<string> => {
      const registration = await next().ok<SignInResponse>({
        path: agentRoutes.signIn,
        body: {
          userName: tenant.install.user,
          password: tenant.install.password,
          agent: { host, dc: `dc-${host}`, version: '0.1.0' },
        },
      });
      return registration.credential;
    };
    const owner = await signIn('owner');
    const standby = await signIn('standby');

    const held = await next().ok<LeaseResponse>({
      path: agentRoutes.leaseAcquire,
      body: {},
      credential: owner,
    });
    const refused = await next().ok<LeaseResponse>({
      path: agentRoutes.leaseAcquire,
      body: {},
      credential: standby,
    });
    expect(held.granted).toBe(true);
    expect(refused.granted).toBe(false);
    expect(refused.lease.epoch).toBe(held.lease.epoch);
    const epoch = held.lease.epoch;

    const renewed = await next().ok<LeaseResponse>({
      path: agentRoutes.leaseRenew,
      body: { epoch },
      credential: owner,
    });
    expect(renewed.granted).toBe(true);

    const { runId } = await next().ok<RunStartResponse>({
      path: agentRoutes.runStart,
      body: { kind: 'full', epoch },
      credential: owner,
    });

    const records = Array.from({ length: 40 }, (_, index) => makeRecord(index, tenant.domain));
    for (let sequence = 1; sequence <= 4; sequence += 1) {
      const chunk = records.slice((sequence - 1) * 10, sequence * 10);
      const response = await next().ok<BatchResponse>({
        path: runRoute(agentRoutes.runBatch, runId),
        body: {
          epoch,
          sequence,
          records: chunk,
          removals: [],
          manifest: chunk.map((entry) => entry.anchor),
        },
        credential: owner,
      });
      expect(response.results.every((result) => result.status === 'created')).toBe(true);
    }

    // The standby agent cannot write into the owner's run on either instance.
    for (const client of clients) {
      const intrusion = await client.send({
        path: runRoute(agentRoutes.runBatch, runId),
        body: { epoch, sequence: 9, records: [makeRecord(99, tenant.domain)], removals: [] },
        credential: standby,
      });
      expect(intrusion.status).toBe(409);
      expect(errorOf(intrusion).code).toBe('UP_AGENT_API_LEASE_NOT_HELD');
    }

    const statuses = await Promise.all(
      clients.map((client) =>
        client.ok<RunStatusResponse>({
          method: 'GET',
          path: runRoute(agentRoutes.run, runId),
          credential: owner,
        }),
      ),
    );
    expect(statuses[0]).toEqual(statuses[1]);
    expect(statuses[0]?.summary.created).toBe(40);

    const ended = await next().ok<RunEndResponse>({
      path: runRoute(agentRoutes.runEnd, runId),
      body: {
        epoch,
        complete: true,
        counts: { batches: 4, records: 40, removals: 0, manifest: 40 },
      },
      credential: owner,
    });
    expect(ended.run.state).toBe('complete');
    expect(ended.removed).toBe(0);
    expect(await servers[1]!.service.directory.count(tenant.id)).toBe(40);

    const lease = await servers[1]!.service.lease.get(tenant.id);
    expect(lease.epoch).toBe(epoch);
  });
});
