import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import type { HostedService } from '../../src/hosted/service.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase, type TestDatabase } from '../support/postgres.ts';
import { LogCapture, adminActor, serviceFor, systemActor, userRecord } from './harness.ts';

/**
 * Two service instances, each with its own pool, on one PostgreSQL database: whatever one
 * instance needs must be in the store, because the next call goes to the other.
 */
describe('two hosted service instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let stores: Store[];
  let services: HostedService[];
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  let turn = 0;
  const next = (): HostedService => services[turn++ % services.length]!;
  const hello = { host: 'agent', dc: 'dc.corp.example', version: '0.1.0' };

  beforeAll(async () => {
    database = await createTestDatabase();
    stores = [await openStore({ url: database.url }), await openStore({ url: database.url })];
    services = stores.map((store) =>
      serviceFor(
        { url: database.url, store, dispose: () => store.close() },
        clock,
        new LogCapture(),
      ),
    );
  });

  afterAll(async () => {
    for (const store of stores ?? []) await store.close();
    await database?.drop();
  });

  it('alternating calls keep one lease and one consistent run', async () => {
    const tenant = await next().tenants.create({ name: 'Shared' }, systemActor);
    await next().domains.register(tenant.id, 'example.com', adminActor);
    const install = await next().agents.createInstallCredentials(tenant.id, adminActor);
    const first = (await next().agents.register(install.user, install.password, hello))!;
    const second = (await next().agents.register(install.user, install.password, hello))!;
    expect(await next().agents.verifyCredential(first.credential)).not.toBeNull();

    const lease = await next().lease.acquire(tenant.id, first.agentId, 60_000);
    expect(lease.acquired).toBe(true);
    expect(await next().lease.acquire(tenant.id, second.agentId, 60_000)).toMatchObject({
      acquired: false,
    });
    const epoch = lease.lease.epoch;

    const run = await next().runs.start(tenant.id, first.agentId, epoch, 'full');
    const ref = { tenantId: tenant.id, agentId: first.agentId, epoch, runId: run.id };
    const records = Array.from({ length: 30 }, () => userRecord());
    for (let start = 0; start < records.length; start += 10) {
      const part = records.slice(start, start + 10);
      const result = await next().runs.applyBatch(ref, {
        records: part,
        manifest: part.map((r) => r.anchor),
      });
      expect(result.results.every((r) => r.status === 'created')).toBe(true);
      expect((await next().lease.renew(tenant.id, first.agentId, epoch, 60_000)).acquired).toBe(
        true,
      );
    }
    const end = await next().runs.end(ref, true);
    expect(end.run.summary).toMatchObject({ created: 30, manifest: 30 });
    expect(await next().directory.count(tenant.id)).toBe(30);

    const stale = await next()
      .runs.applyBatch(ref, { records: [userRecord()] })
      .catch((e: unknown) => e);
    expect(isUserPilotError(stale, 'UP_HOSTED_RUN_CLOSED')).toBe(true);
  });

  it('concurrent acquires on both instances hand the lease to one agent', async () => {
    const tenant = await next().tenants.create({ name: 'Race' }, systemActor);
    const install = await next().agents.createInstallCredentials(tenant.id, adminActor);
    const agents = await Promise.all(
      Array.from({ length: 6 }, () =>
        next().agents.register(install.user, install.password, hello),
      ),
    );
    const results = await Promise.all(
      agents.map((agent, index) =>
        services[index % 2]!.lease.acquire(tenant.id, agent!.agentId, 60_000),
      ),
    );
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    expect((await next().lease.get(tenant.id)).agentId).toBe(winners[0]!.lease.agentId);
    expect((await next().lease.get(tenant.id)).epoch).toBe(1);
  });

  it('concurrent registrations of one domain leave one and reject the other', async () => {
    const tenant = await next().tenants.create({ name: 'Domains race' }, systemActor);
    const outcomes = await Promise.allSettled(
      services.map((service) => service.domains.register(tenant.id, 'race.example', adminActor)),
    );
    const rejected = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(isUserPilotError(rejected[0]?.reason, 'UP_HOSTED_NAME_TAKEN')).toBe(true);
    expect(await next().domains.list(tenant.id)).toHaveLength(1);
  });

  it('concurrent batches of one run on both instances each apply once', async () => {
    const tenant = await next().tenants.create({ name: 'Batches' }, systemActor);
    await next().domains.register(tenant.id, 'batches.example', adminActor);
    const install = await next().agents.createInstallCredentials(tenant.id, adminActor);
    const agent = (await next().agents.register(install.user, install.password, hello))!;
    const lease = await next().lease.acquire(tenant.id, agent.agentId, 60_000);
    const run = await next().runs.start(tenant.id, agent.agentId, lease.lease.epoch, 'delta');
    const ref = {
      tenantId: tenant.id,
      agentId: agent.agentId,
      epoch: lease.lease.epoch,
      runId: run.id,
    };
    const batch = { records: Array.from({ length: 50 }, () => userRecord()) };

    const [a, b] = await Promise.all([
      services[0]!.runs.applyBatch(ref, batch),
      services[1]!.runs.applyBatch(ref, batch),
    ]);
    const statuses = [...a.results, ...b.results].map((r) => r.status);
    expect(statuses.filter((s) => s === 'created')).toHaveLength(50);
    expect(statuses.filter((s) => s === 'unchanged')).toHaveLength(50);
    expect(await next().directory.count(tenant.id)).toBe(50);
  });
});
