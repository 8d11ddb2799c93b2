import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { agentRoutes, maxManifestAnchors, runRoute } from '../../src/protocol/agent-api.ts';
import { requestTimeoutMs } from '../../src/server/app.ts';
import { AgentHttp, errorOf } from './support/agent-http.ts';
import { signIn, TestAgent } from './support/agent-session.ts';
import { anchorOf } from './support/records.ts';
import {
  captureLogger,
  createTestTenant,
  startTestServer,
  storeEngines,
  type TestDatabase,
  type TestServer,
  type TestTenant,
} from './support/test-server.ts';

/** Sends one raw HTTP/1.1 request line over TLS and returns the status and body text. */
function rawGet(server: TestServer, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca: server.ca });
    const chunks: Buffer[] = [];
    socket.on('secureConnect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
  });
}

describe.each(storeEngines)('hostile agent requests on $name', (engine) => {
  const clock = new ManualClock(new Date());
  const { logger, lines } = captureLogger();
  let database: TestDatabase;
  let server: TestServer;
  let http: AgentHttp;
  let tenant: TestTenant;
  let agent: TestAgent;

  beforeAll(async () => {
    database = await engine.create();
    server = await startTestServer({ storeUrl: database.url, clock, logger });
    http = new AgentHttp(server.url, server.ca, clock);
    tenant = await createTestTenant(server.service, 'Hostile');
    agent = new TestAgent(http, (await signIn(http, tenant, 'host-hostile')).credential);
  });

  afterAll(async () => {
    http?.close();
    await server?.close();
    await database?.drop();
  });

  it('full manifest chunk is accepted', async () => {
    const { lease } = await agent.acquire();
    const runId = await agent.startRunOk('full', lease.epoch);
    const manifest = Array.from({ length: maxManifestAnchors }, (_, index) => anchorOf(index));

    const result = await agent.sendBatch(runId, { epoch: lease.epoch, manifest });

    expect(result.status).toBe(200);
  });

  it('manifest chunk over the limit is an invalid body', async () => {
    const { lease } = await agent.acquire();
    const runId = await agent.startRunOk('full', lease.epoch);
    const manifest = Array.from({ length: maxManifestAnchors + 1 }, (_, index) => anchorOf(index));

    const result = await agent.sendBatch(runId, { epoch: lease.epoch, manifest });

    expect(result.status).toBe(400);
    expect(errorOf(result).code).toBe('UP_AGENT_API_INVALID_BODY');
    expect(errorOf(result).details.path).toBe('/manifest');
  });

  it('malformed URL gets the error body', async () => {
    const logged = lines.length;
    const result = await rawGet(server, `${agentRoutes.runStart}/%zz`);

    expect(result.status).toBe(400);
    const body = JSON.parse(result.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UP_AGENT_API_INVALID_BODY');
    expect(body.error.message).toContain('%zz');
    const logLines = lines.slice(logged).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logLines.map((line) => line.code)).toContain('UP_AGENT_API_INVALID_BODY');
  });

  it('over-long run id gets the error body', async () => {
    const result = await http.send({
      method: 'GET',
      path: runRoute(agentRoutes.run, 'a'.repeat(5000)),
      credential: agent.credential,
    });

    expect(result.status).toBe(400);
    expect(errorOf(result).code).toBe('UP_AGENT_API_INVALID_BODY');
    expect(errorOf(result).message).not.toContain('aaaa');
  });

  it('request timeout is set', () => {
    expect(server.app.server.requestTimeout).toBe(requestTimeoutMs);
    expect(requestTimeoutMs).toBeGreaterThan(0);
  });
});
