import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { HostedService } from '../../src/hosted/index.ts';
import { buildServer } from '../../src/server/app.ts';
import { mailboxSignInPlugin } from '../../src/server/mailbox-signin/plugin.ts';
import { engines, openTestStore, type OpenedStore } from '../hosted/harness.ts';

const nfc = 'jörg@signin.test';
const nfd = 'jo\u0308rg@signin.test';

describe.each(engines)('mailbox sign-in throttle on %s', (engine) => {
  let opened: OpenedStore;
  let apps: FastifyInstance[];

  const startInstance = async (): Promise<FastifyInstance> => {
    const logger = createLogger({ level: 'silent' });
    const service = new HostedService({ store: opened.store, clock: systemClock, logger });
    const app = await buildServer({
      service,
      logger,
      clock: systemClock,
      plugins: [mailboxSignInPlugin({ service, clock: systemClock, logger })],
    });
    apps.push(app);
    return app;
  };

  const signIn = (app: FastifyInstance, login: string, ip = '127.0.0.1') =>
    app.inject({
      method: 'POST',
      url: '/mailbox/v1/signin',
      remoteAddress: ip,
      payload: { login, password: 'wrong-password' },
    });

  beforeEach(async () => {
    opened = await openTestStore(engine);
    apps = [];
  });

  afterEach(async () => {
    for (const app of apps) await app.close();
    await opened.dispose();
  });

  it.each([
    { name: 'the NFD spelling', after: nfd },
    { name: 'the upper-case spelling', after: 'JÖRG@SIGNIN.TEST' },
  ])('failures under NFC also throttle $name', async ({ after }) => {
    const app = await startInstance();
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await signIn(app, nfc)).statusCode).toBe(401);
    }
    expect((await signIn(app, after)).statusCode).toBe(429);
  });

  it('failures on one instance throttle the other', async () => {
    const [first, second] = [await startInstance(), await startInstance()];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      expect((await signIn(attempt % 2 === 0 ? first : second, nfc)).statusCode).toBe(401);
    }
    expect((await signIn(second, nfc)).statusCode).toBe(429);
    expect((await signIn(first, nfc)).statusCode).toBe(429);
  });

  it('one client spraying many logins is throttled', async () => {
    const app = await startInstance();
    for (let attempt = 0; attempt < 11; attempt += 1) {
      expect((await signIn(app, `user${attempt}@signin.test`, '127.0.0.9')).statusCode).toBe(401);
    }
    expect((await signIn(app, 'fresh@signin.test', '127.0.0.9')).statusCode).toBe(429);
    expect((await signIn(app, 'fresh@signin.test', '127.0.0.10')).statusCode).toBe(401);
  });
});
