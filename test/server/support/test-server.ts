import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../../../src/core/clock.ts';
import { createLogger, type Logger } from '../../../src/core/log.ts';
import { argon2idHasher, HostedService } from '../../../src/hosted/index.ts';
import { buildServer } from '../../../src/server/app.ts';
import { createLabCertificate, type LabCertificate } from '../../../src/server/tls-certificate.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { createTestDatabase } from '../../support/postgres.ts';

/** A store URL for one test file, and how to remove it afterwards. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface TestStoreEngine {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

/** Both store engines; suites run once per engine with `describe.each(storeEngines)`. */
export const storeEngines: TestStoreEngine[] = [
  {
    name: 'sqlite',
    create: () => {
      const dir = mkdtempSync(join(tmpdir(), 'userpilot-server-'));
      const drop = (): Promise<void> => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      };
      return Promise.resolve({ url: join(dir, 'store.sqlite'), drop });
    },
  },
  { name: 'postgres', create: () => createTestDatabase() },
];

/** argon2id at a low cost, so tests that hash many passwords stay quick. */
export const cheapHasher = argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

/** Log lines a test can search; the logger writes JSON lines into `lines`. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line) => lines.push(line) },
  });
  return { logger, lines };
}

let sharedCertificate: Promise<LabCertificate> | undefined;

/** One certificate per test file; made with the real clock, since TLS checks real time. */
export function testCertificate(): Promise<LabCertificate> {
  sharedCertificate ??= createLabCertificate('localhost', systemClock);
  return sharedCertificate;
}

export interface TestServer {
  url: string;
  /** The PEM certificate clients trust. */
  ca: string;
  app: FastifyInstance;
  service: HostedService;
  store: Store;
  close(): Promise<void>;
}

export interface TestServerOptions {
  storeUrl: string;
  clock: Clock;
  logger?: Logger;
  leaseTtlSeconds?: number;
}

/** Serves the agent API over HTTPS on an ephemeral loopback port, on a real store. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const store = await openStore({ url: options.storeUrl });
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const service = new HostedService({ store, clock: options.clock, logger, hasher: cheapHasher });
  const certificate = await testCertificate();
  const app = await buildServer({
    service,
    logger,
    clock: options.clock,
    tls: certificate,
    ...(options.leaseTtlSeconds === undefined ? {} : { leaseTtlSeconds: options.leaseTtlSeconds }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    ca: certificate.certificatePem,
    app,
    service,
    store,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export interface TestTenant {
  id: string;
  name: string;
  domain: string;
  install: { user: string; password: string };
}

/** Creates a tenant with a registered mail domain and agent install credentials. */
export async function createTestTenant(service: HostedService, name: string): Promise<TestTenant> {
  const system = { kind: 'system' } as const;
  const tenant = await service.tenants.create({ name }, system);
  const domain = `${name.toLowerCase()}.example`;
  await service.domains.register(tenant.id, domain, system);
  const install = await service.agents.createInstallCredentials(tenant.id, system);
  return { id: tenant.id, name: tenant.name, domain, install };
}
