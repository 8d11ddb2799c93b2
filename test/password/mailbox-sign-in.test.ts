import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { HostedService } from '../../src/hosted/index.ts';
import { buildServer } from '../../src/server/app.ts';
import { mailboxSignInPlugin } from '../../src/server/mailbox-signin/plugin.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { seedAgent, sendRun, system, userRecord } from '../server/panel/fixture.ts';

const login = 'ada@signin.test';
const password = `Pw-${randomBytes(9).toString('base64url')}`;

describe('mailbox sign-in routes', () => {
  let store: Store;
  let app: FastifyInstance;

  beforeAll(async () => {
    store = await openStore({ url: ':memory:' });
    const logger = createLogger({ level: 'silent' });
    const service = new HostedService({ store, clock: systemClock, logger });
    const tenant = await service.tenants.create({ name: 'sign-in' }, system);
    await service.domains.register(tenant.id, 'signin.test', system);
    const agent = await seedAgent(service, tenant.id, 'dc1');
    const record = userRecord({ upn: login, displayName: 'Ada' });
    await sendRun(service, tenant.id, agent, { kind: 'delta', records: [record] });
    await service.links.autocreate(tenant.id, [record.anchor], system);
    await service.passwords.submit(
      tenant.id,
      { anchor: record.anchor, password, pwdLastSet: new Date().toISOString() },
      { kind: 'agent', id: agent.agentId },
    );
    app = await buildServer({
      service,
      logger,
      clock: systemClock,
      plugins: [mailboxSignInPlugin({ service, clock: systemClock, logger })],
    });
  });

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const signIn = (body: unknown) =>
    app.inject({ method: 'POST', url: '/mailbox/v1/signin', payload: body as object });

  it('accepts the synchronized password', async () => {
    const response = await signIn({ login, password });
    expect(response.statusCode).toBe(200);
    expect(response.json<{ ok: boolean }>().ok).toBe(true);
  });

  it('answers a wrong password and an unknown address alike', async () => {
    const wrong = await signIn({ login, password: 'not-the-password' });
    const unknown = await signIn({ login: 'nobody@signin.test', password });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json<{ error: { code: string } }>().error.code).toBe('UP_PASSWORD_SIGN_IN_FAILED');
    expect(wrong.json<{ error: { message: string } }>().error.message).toBe(
      unknown.json<{ error: { message: string } }>().error.message,
    );
  });

  it.each([
    ['no password', { login }],
    ['an empty login', { login: '', password }],
  ])('rejects a request with %s', async (_name, body) => {
    const response = await signIn(body);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string } }>().error.code).toBe(
      'UP_PASSWORD_SIGN_IN_INVALID',
    );
    expect(response.body).not.toContain(password);
  });

  it('slows down after repeated failures', async () => {
    const target = 'throttled@signin.test';
    const codes: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      codes.push((await signIn({ login: target, password: 'wrong-password' })).statusCode);
    }
    expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(codes[4]).toBe(429);
  });

  it('serves the sign-in form', async () => {
    const response = await app.inject({ method: 'GET', url: '/mailbox/signin' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toContain('<form method="post" action="/mailbox/signin">');
  });

  it('signs in through the form', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/mailbox/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ login, password }).toString(),
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`Signed in as ${login}.`);
    expect(response.body).not.toContain(password);
  });

  it('shows a refusal on the form', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/mailbox/signin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ login, password: 'wrong-password' }).toString(),
    });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('The address or password is incorrect');
  });
});
