import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { agentRoutes, runRoute } from '../../src/protocol/agent-api.ts';
import type { HeartbeatResponse } from '../../src/protocol/heartbeat.ts';
import type { RunEndResponse, RunStatusResponse } from '../../src/protocol/runs.ts';
import { AgentHttp, errorOf } from './support/agent-http.ts';
import { signIn, TestAgent } from './support/agent-session.ts';
import { makeRecord } from './support/records.ts';
import {
  captureLogger,
  createTestTenant,
  startTestServer,
  storeEngines,
  type TestDatabase,
  type TestServer,
  type TestTenant,
} from './support/test-server.ts';

const facts = { host: 'agent-1', dc: 'dc-1', version: '0.1.0' };

describe.each(storeEngines)('agent API on $name', (engine) => {
  const clock = new ManualClock(new Date());
  const { logger, lines } = captureLogger();
  let database: TestDatabase;
  let server: TestServer;
  let http: AgentHttp;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  beforeAll(async () => {
    database = await engine.create();
    server = await startTestServer({ storeUrl: database.url, clock, logger, leaseTtlSeconds: 60 });
    http = new AgentHttp(server.url, server.ca, clock);
    tenantA = await createTestTenant(server.service, 'Alpha');
    tenantB = await createTestTenant(server.service, 'Bravo');
  });

  afterAll(async () => {
    http?.close();
    await server?.close();
    await database?.drop();
  });

  describe('sign-in', () => {
    it('registers the agent and returns its own credential', async () => {
      const registration = await signIn(http, tenantA, 'host-sign-in');

      expect(registration.tenantId).toBe(tenantA.id);
      expect(registration.agentId).not.toBe('');
      expect(registration.credential).not.toContain(tenantA.install.password);
      const agents = await server.service.agents.list(tenantA.id);
      expect(agents.map((agent) => agent.id)).toContain(registration.agentId);

      const heartbeat = await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        credential: registration.credential,
      });
      expect(heartbeat.status).toBe(200);
      expect((heartbeat.body as HeartbeatResponse).lease.ttlSeconds).toBe(60);
    });

    it.each([
      { name: 'wrong password', user: () => tenantA.install.user, password: 'not-the-password' },
      { name: 'unknown user', user: () => 'nobody@nowhere', password: 'whatever-password' },
    ])('rejects a $name as incorrect password', async ({ user, password }) => {
      const result = await http.send({
        path: agentRoutes.signIn,
        body: { userName: user(), password, agent: facts },
      });

      expect(result.status).toBe(401);
      expect(errorOf(result).code).toBe('UP_AGENT_API_BAD_CREDENTIALS');
      expect(errorOf(result).message).toBe('Password is incorrect.');
    });

    it('keeps registered agents working after a rotation', async () => {
      const tenant = await createTestTenant(server.service, 'Rotation');
      const registered = await signIn(http, tenant, 'host-before-rotation');
      const rotated = await server.service.agents.rotateInstallPassword(tenant.id, {
        kind: 'system',
      });

      const heartbeat = await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        credential: registered.credential,
      });
      expect(heartbeat.status).toBe(200);

      const oldPassword = await http.send({
        path: agentRoutes.signIn,
        body: { userName: tenant.install.user, password: tenant.install.password, agent: facts },
      });
      expect(oldPassword.status).toBe(401);

      const newPassword = await http.send({
        path: agentRoutes.signIn,
        body: { userName: rotated.user, password: rotated.password, agent: facts },
      });
      expect(newPassword.status).toBe(200);
    });
  });

  describe('agent clock', () => {
    const seconds = (count: number) => () => new Date(clock.now().getTime() + count * 1000);

    it.each([
      { name: 'ahead by 301 s', agentNow: seconds(301), offset: 301 },
      { name: 'behind by 301 s', agentNow: seconds(-301), offset: -301 },
      { name: 'ahead by one hour', agentNow: seconds(3600), offset: 3600 },
    ])('rejects a clock $name with the offset', async ({ agentNow, offset }) => {
      // A wrong password too: the clock is reported first, so the admin fixes the real cause.
      const result = await http.send({
        path: agentRoutes.signIn,
        body: { userName: tenantA.install.user, password: 'wrong-password', agent: facts },
        agentTime: agentNow().toISOString(),
      });

      expect(result.status).toBe(400);
      const error = errorOf(result);
      expect(error.code).toBe('UP_AGENT_API_CLOCK_SKEW');
      expect(error.details.offsetSeconds).toBe(offset);
      expect(error.message).toContain(`${Math.abs(offset)} seconds`);
      expect(error.message).toContain(offset > 0 ? 'ahead of' : 'behind');
    });

    it.each([
      { name: 'ahead by 299 s', agentNow: seconds(299) },
      { name: 'behind by 299 s', agentNow: seconds(-299) },
    ])('accepts a clock $name', async ({ agentNow }) => {
      const result = await http.send({
        path: agentRoutes.signIn,
        body: { userName: tenantA.install.user, password: tenantA.install.password, agent: facts },
        agentTime: agentNow().toISOString(),
      });

      expect(result.status).toBe(200);
    });

    it.each([
      { name: 'missing', agentTime: null },
      { name: 'not a date', agentTime: 'yesterday' },
      { name: 'without a zone', agentTime: '2026-01-01T00:00:00' },
    ])('rejects an agent time header that is $name', async ({ agentTime }) => {
      const result = await http.send({ path: agentRoutes.heartbeat, body: facts, agentTime });

      expect(result.status).toBe(400);
      expect(errorOf(result).code).toBe('UP_AGENT_API_AGENT_TIME_MISSING');
    });
  });

  describe('request validation', () => {
    let agent: TestAgent;
    let epoch: number;
    let runId: string;

    beforeAll(async () => {
      const tenant = await createTestTenant(server.service, 'Validation');
      const registration = await signIn(http, tenant, 'host-validation');
      agent = new TestAgent(http, registration.credential);
      epoch = (await agent.acquire()).lease.epoch;
      runId = await agent.startRunOk('delta', epoch);
    });

    const record = makeRecord(1, 'validation.example');

    it.each([
      {
        name: 'a missing sign-in field',
        path: () => agentRoutes.signIn,
        body: () => ({ userName: 'u', password: 'p', agent: { host: 'h', dc: 'd' } }),
        field: '/agent/version',
      },
      {
        name: 'a malformed anchor',
        path: () => runRoute(agentRoutes.runBatch, runId),
        body: () => ({
          epoch,
          sequence: 1,
          records: [record, record, { ...record, anchor: 'not-a-guid' }],
          removals: [],
        }),
        field: '/records/2/anchor',
      },
      {
        name: 'an epoch sent as a string',
        path: () => runRoute(agentRoutes.runBatch, runId),
        body: () => ({ epoch: String(epoch), sequence: 1, records: [], removals: [] }),
        field: '/epoch',
      },
      {
        name: 'an unknown record attribute',
        path: () => runRoute(agentRoutes.runBatch, runId),
        body: () => ({
          epoch,
          sequence: 1,
          records: [{ ...record, userPassword: 'x' }],
          removals: [],
        }),
        field: '/records/0/userPassword',
      },
      {
        name: 'a wrong run kind',
        path: () => agentRoutes.runStart,
        body: () => ({ kind: 'partial', epoch }),
        field: '/kind',
      },
    ])('rejects $name with the field path', async ({ path, body, field }) => {
      const result = await http.send({ path: path(), body: body(), credential: agent.credential });

      expect(result.status).toBe(400);
      const error = errorOf(result);
      expect(error.code).toBe('UP_AGENT_API_INVALID_BODY');
      expect(error.details.path).toBe(field);
      expect(error.message).toContain(field);
    });

    it('rejects a body that is not JSON', async () => {
      const result = await http.send({
        path: agentRoutes.heartbeat,
        rawBody: '{"host": ',
        credential: agent.credential,
      });

      expect(result.status).toBe(400);
      expect(errorOf(result).code).toBe('UP_AGENT_API_MALFORMED_JSON');
    });

    it('rejects a body that is not application/json', async () => {
      const result = await http.send({
        path: agentRoutes.heartbeat,
        rawBody: 'host=h',
        contentType: 'text/plain',
        credential: agent.credential,
      });

      expect(result.status).toBe(415);
      expect(errorOf(result).code).toBe('UP_AGENT_API_UNSUPPORTED_MEDIA_TYPE');
    });

    it('rejects a batch of 1,001 objects with 413', async () => {
      const records = Array.from({ length: 1001 }, (_, index) =>
        makeRecord(index, 'validation.example'),
      );
      const result = await agent.sendBatch(runId, { epoch, records });

      expect(result.status).toBe(413);
      expect(errorOf(result).code).toBe('UP_AGENT_API_BATCH_TOO_LARGE');
      expect(errorOf(result).details.count).toBe(1001);
    });

    it('counts removals toward the batch limit', async () => {
      const records = Array.from({ length: 600 }, (_, index) =>
        makeRecord(index, 'validation.example'),
      );
      const removals = records.slice(0, 401).map((entry) => entry.anchor);
      const result = await agent.sendBatch(runId, { epoch, records, removals });

      expect(result.status).toBe(413);
    });

    it('accepts a batch of exactly 1,000 records', async () => {
      const records = Array.from({ length: 1000 }, (_, index) =>
        makeRecord(index, 'validation.example'),
      );
      const response = await agent.sendBatchOk(runId, { epoch, records });

      expect(response.results).toHaveLength(1000);
    });

    it('rejects a manifest in a delta run', async () => {
      const result = await agent.sendBatch(runId, { epoch, manifest: [record.anchor] });

      expect(result.status).toBe(400);
      expect(errorOf(result).code).toBe('UP_AGENT_API_MANIFEST_IN_DELTA');
    });

    it.each([
      {
        name: 'an unknown agent route',
        path: `${agentRoutes.heartbeat}/x`,
        code: 'UP_AGENT_API_NOT_FOUND',
      },
      { name: 'an unknown server route', path: '/nothing-here', code: 'UP_SERVER_ROUTE_NOT_FOUND' },
    ])('answers $name with 404', async ({ path, code }) => {
      const result = await http.send({ path, body: {}, credential: agent.credential });

      expect(result.status).toBe(404);
      expect(errorOf(result).code).toBe(code);
    });
  });

  describe('agent credentials', () => {
    it.each([
      { name: 'missing', credential: () => undefined },
      { name: 'unknown', credential: () => 'upa_unknown-credential' },
    ])('rejects a $name credential with 401', async ({ credential }) => {
      const given = credential();
      const result = await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        ...(given === undefined ? {} : { credential: given }),
      });

      expect(result.status).toBe(401);
      expect(errorOf(result).code).toBe('UP_AGENT_API_UNAUTHORIZED');
    });

    it('rejects a revoked credential with 401', async () => {
      const registration = await signIn(http, tenantA, 'host-revoked');
      await server.service.agents.revoke(tenantA.id, registration.agentId, { kind: 'system' });

      const result = await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        credential: registration.credential,
      });

      expect(result.status).toBe(401);
      expect(errorOf(result).code).toBe('UP_AGENT_API_UNAUTHORIZED');
    });
  });

  describe('tenant isolation', () => {
    let agentA: TestAgent;
    let epochA: number;
    let agentB: TestAgent;
    let epochB: number;
    let runB: string;
    const recordB = makeRecord(7, 'bravo.example', {}, 2);

    beforeAll(async () => {
      agentA = new TestAgent(http, (await signIn(http, tenantA, 'host-isolation-a')).credential);
      agentB = new TestAgent(http, (await signIn(http, tenantB, 'host-isolation-b')).credential);
      epochA = (await agentA.acquire()).lease.epoch;
      epochB = (await agentB.acquire()).lease.epoch;
      runB = await agentB.startRunOk('delta', epochB);
      await agentB.sendBatchOk(runB, { epoch: epochB, records: [recordB] });
    });

    it("keeps tenant B's run unreadable for tenant A", async () => {
      const result = await http.send({
        method: 'GET',
        path: runRoute(agentRoutes.run, runB),
        credential: agentA.credential,
      });

      expect(result.status).toBe(404);
      expect(errorOf(result).code).toBe('UP_AGENT_API_RUN_NOT_FOUND');
    });

    it("keeps tenant B's run unwritable for tenant A", async () => {
      const changed = { ...recordB, displayName: 'Written by tenant A' };
      const batch = await agentA.sendBatch(runB, { epoch: epochA, records: [changed] });
      const end = await http.send({
        path: runRoute(agentRoutes.runEnd, runB),
        body: {
          epoch: epochA,
          complete: true,
          counts: { batches: 1, records: 1, removals: 0, manifest: 0 },
        },
        credential: agentA.credential,
      });

      expect(batch.status).toBe(404);
      expect(end.status).toBe(404);
      const objectB = await server.service.directory.get(tenantB.id, recordB.anchor);
      expect(objectB?.record.displayName).toBe(recordB.displayName);
      expect(await server.service.directory.get(tenantA.id, recordB.anchor)).toBeNull();
    });

    it("keeps tenant B's run readable for tenant B", async () => {
      const status = await http.ok<RunStatusResponse>({
        method: 'GET',
        path: runRoute(agentRoutes.run, runB),
        credential: agentB.credential,
      });

      expect(status.runId).toBe(runB);
      expect(status.state).toBe('open');
    });
  });

  describe('directory lease', () => {
    it('refuses writes from the agent without the lease and from an old epoch', async () => {
      const tenant = await createTestTenant(server.service, 'Lease');
      const first = new TestAgent(http, (await signIn(http, tenant, 'host-lease-1')).credential);
      const second = new TestAgent(http, (await signIn(http, tenant, 'host-lease-2')).credential);
      const held = await first.acquire();
      const refused = await second.acquire();
      const firstRun = await first.startRunOk('delta', held.lease.epoch);

      expect(held.granted).toBe(true);
      expect(refused.granted).toBe(false);
      expect(refused.lease.holderAgentId).toBe(held.lease.holderAgentId);

      const withoutLease = await second.startRun('delta', held.lease.epoch);
      expect(withoutLease.status).toBe(409);
      expect(errorOf(withoutLease).code).toBe('UP_AGENT_API_LEASE_NOT_HELD');

      // The first agent stops renewing; after its lease ends the second takes over.
      clock.advance(61_000);
      const takeover = await second.acquire();
      expect(takeover.granted).toBe(true);
      expect(takeover.lease.epoch).toBeGreaterThan(held.lease.epoch);

      const stale = await first.sendBatch(firstRun, {
        epoch: held.lease.epoch,
        records: [makeRecord(1, tenant.domain)],
      });
      expect(stale.status).toBe(409);
      expect(['UP_AGENT_API_STALE_EPOCH', 'UP_AGENT_API_LEASE_NOT_HELD']).toContain(
        errorOf(stale).code,
      );
      expect(
        await server.service.directory.get(tenant.id, makeRecord(1, tenant.domain).anchor),
      ).toBeNull();

      const oldEpochRun = await first.startRun('delta', held.lease.epoch);
      expect(oldEpochRun.status).toBe(409);
    });

    it('renews at the current epoch and reports a lost lease as not granted', async () => {
      const tenant = await createTestTenant(server.service, 'Renewal');
      const agent = new TestAgent(http, (await signIn(http, tenant, 'host-renew')).credential);
      const held = await agent.acquire();

      const renewed = await http.ok<{ granted: boolean; lease: { epoch: number } }>({
        path: agentRoutes.leaseRenew,
        body: { epoch: held.lease.epoch },
        credential: agent.credential,
      });
      const stale = await http.ok<{ granted: boolean }>({
        path: agentRoutes.leaseRenew,
        body: { epoch: held.lease.epoch + 1 },
        credential: agent.credential,
      });

      expect(renewed.granted).toBe(true);
      expect(renewed.lease.epoch).toBe(held.lease.epoch);
      expect(stale.granted).toBe(false);
    });
  });

  describe('run protocol', () => {
    let tenant: TestTenant;
    let agent: TestAgent;
    let epoch: number;

    beforeAll(async () => {
      tenant = await createTestTenant(server.service, 'Runs');
      agent = new TestAgent(http, (await signIn(http, tenant, 'host-runs')).credential);
      epoch = (await agent.acquire()).lease.epoch;
    });

    it('changes nothing when a batch is resent', async () => {
      const records = [1, 2, 3].map((index) => makeRecord(index, tenant.domain));
      const runId = await agent.startRunOk('delta', epoch);
      const first = await agent.sendBatchOk(runId, { epoch, sequence: 1, records });
      const before = await server.service.directory.get(tenant.id, records[0]!.anchor);
      const activityBefore = await server.service.activity.list(tenant.id, { limit: 500 });

      clock.advance(1000);
      const resent = await agent.sendBatchOk(runId, { epoch, sequence: 1, records });
      const after = await server.service.directory.get(tenant.id, records[0]!.anchor);
      const activityAfter = await server.service.activity.list(tenant.id, { limit: 500 });

      expect(first.results.map((result) => result.status)).toEqual([
        'created',
        'created',
        'created',
      ]);
      expect(resent.results.map((result) => result.status)).toEqual([
        'unchanged',
        'unchanged',
        'unchanged',
      ]);
      expect(after?.updatedAt).toBe(before?.updatedAt);
      expect(activityAfter.total).toBe(activityBefore.total);
    });

    it('rejects one bad object and applies the rest', async () => {
      const runId = await agent.startRunOk('delta', epoch);
      const good = makeRecord(20, tenant.domain);
      const bad = makeRecord(21, tenant.domain, { displayName: 'x'.repeat(5000) });
      const response = await agent.sendBatchOk(runId, { epoch, records: [good, bad] });

      expect(response.results[0]?.status).toBe('created');
      expect(response.results[1]?.status).toBe('rejected');
      expect(response.results[1]?.attribute).toBe('displayName');
      expect(await server.service.directory.get(tenant.id, good.anchor)).not.toBeNull();
    });

    it('removes nothing when a full run ends incomplete', async () => {
      const scope = await createTestTenant(server.service, 'Incomplete');
      const owner = new TestAgent(http, (await signIn(http, scope, 'host-full')).credential);
      const ownerEpoch = (await owner.acquire()).lease.epoch;
      const records = [1, 2, 3, 4, 5].map((index) => makeRecord(index, scope.domain));

      const firstRun = await owner.startRunOk('full', ownerEpoch);
      await owner.sendBatchOk(firstRun, {
        epoch: ownerEpoch,
        records,
        manifest: records.map((entry) => entry.anchor),
      });
      await owner.endRunOk(firstRun, ownerEpoch, true);

      const shortManifest = records.slice(0, 3).map((entry) => entry.anchor);
      const incompleteRun = await owner.startRunOk('full', ownerEpoch);
      await owner.sendBatchOk(incompleteRun, { epoch: ownerEpoch, manifest: shortManifest });
      const incomplete = await owner.endRunOk(incompleteRun, ownerEpoch, false);

      expect(incomplete.removed).toBe(0);
      expect(incomplete.held).toBe(0);
      expect(incomplete.run.state).toBe('incomplete');
      expect(await server.service.directory.count(scope.id)).toBe(5);

      // The same manifest in a complete run does remove the two missing objects (or holds
      // them under the removal guard), so the check above can fail.
      const completeRun = await owner.startRunOk('full', ownerEpoch);
      await owner.sendBatchOk(completeRun, { epoch: ownerEpoch, manifest: shortManifest });
      const complete = await owner.endRunOk(completeRun, ownerEpoch, true);
      expect(complete.removed + complete.held).toBe(2);
    });

    it('ends a full run incomplete when a batch went missing', async () => {
      const scope = await createTestTenant(server.service, 'Shortfall');
      const owner = new TestAgent(http, (await signIn(http, scope, 'host-shortfall')).credential);
      const ownerEpoch = (await owner.acquire()).lease.epoch;
      const records = [1, 2, 3, 4].map((index) => makeRecord(index, scope.domain));
      const firstRun = await owner.startRunOk('full', ownerEpoch);
      await owner.sendBatchOk(firstRun, {
        epoch: ownerEpoch,
        records,
        manifest: records.map((entry) => entry.anchor),
      });
      await owner.endRunOk(firstRun, ownerEpoch, true);

      // The agent sent two manifest chunks of two anchors; the second never arrived.
      const runId = await owner.startRunOk('full', ownerEpoch);
      const received = records.slice(0, 2).map((entry) => entry.anchor);
      await owner.sendBatchOk(runId, { epoch: ownerEpoch, sequence: 1, manifest: received });
      const ended = await http.ok<RunEndResponse>({
        path: runRoute(agentRoutes.runEnd, runId),
        body: {
          epoch: ownerEpoch,
          complete: true,
          counts: { batches: 2, records: 0, removals: 0, manifest: 4 },
        },
        credential: owner.credential,
      });

      expect(ended.run.state).toBe('incomplete');
      expect(ended.removed).toBe(0);
      expect(ended.held).toBe(0);
      expect(ended.reason).toContain('2 of 4 manifest anchors');
      expect(await server.service.directory.count(scope.id)).toBe(4);
    });

    it('rejects a batch after the run ended', async () => {
      const runId = await agent.startRunOk('delta', epoch);
      await agent.endRunOk(runId, epoch, true);
      const late = await agent.sendBatch(runId, {
        epoch,
        records: [makeRecord(30, tenant.domain)],
      });

      expect(late.status).toBe(409);
      expect(errorOf(late).code).toBe('UP_AGENT_API_RUN_ENDED');
    });
  });

  describe('OpenAPI document', () => {
    it('lists every agent route with the bearer scheme', async () => {
      const result = await http.send({ method: 'GET', path: '/openapi.json', agentTime: null });
      const document = result.body as {
        openapi: string;
        paths: Record<string, Record<string, { security?: unknown[] }>>;
        components: { securitySchemes: Record<string, { scheme: string }> };
      };

      expect(result.status).toBe(200);
      expect(document.openapi).toMatch(/^3\./);
      const paths = Object.keys(document.paths);
      for (const route of Object.values(agentRoutes)) {
        expect(paths).toContain(route.replace(':runId', '{runId}'));
      }
      expect(document.components.securitySchemes.agentCredential?.scheme).toBe('bearer');
      expect(document.paths[agentRoutes.heartbeat]?.post?.security).toBeDefined();
      expect(document.paths[agentRoutes.signIn]?.post?.security).toBeUndefined();
    });
  });

  describe('request log', () => {
    it('never holds a password or credential', async () => {
      const registration = await signIn(http, tenantA, 'host-log');
      await http.send({
        path: agentRoutes.signIn,
        body: { userName: tenantA.install.user, password: 'Secret-Wrong-Pass', agent: facts },
      });
      await http.send({
        path: agentRoutes.heartbeat,
        body: facts,
        credential: registration.credential,
      });
      const text = lines.join('');

      expect(lines.length).toBeGreaterThan(0);
      expect(text).not.toContain(tenantA.install.password);
      expect(text).not.toContain('Secret-Wrong-Pass');
      expect(text).not.toContain(registration.credential);
      expect(text).toContain('UP_AGENT_API_BAD_CREDENTIALS');
    });

    it('logs a rejected request at info with its code', () => {
      const rejected = lines
        .map((line) => JSON.parse(line) as { level: string; code?: string; status_code?: number })
        .filter((entry) => entry.code === 'UP_AGENT_API_BAD_CREDENTIALS');

      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected[0]?.level).toBe('info');
      expect(rejected[0]?.status_code).toBe(401);
    });
  });
});
