/**
 * A hosted service over a fresh store of each engine, with a tenant, a registered domain and one
 * agent holding the lease: the starting point of the table-driven tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ManualClock } from '../../src/core/clock.ts';
import { createLogger } from '../../src/core/log.ts';
import { HostedService } from '../../src/hosted/service.ts';
import { argon2idHasher } from '../../src/hosted/secrets.ts';
import type { BatchInput, BatchResult, EndRunResult, RunKind } from '../../src/hosted/types.ts';
import type { DirectoryUserRecord } from '../../src/protocol/records.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase } from '../support/postgres.ts';

export type EngineName = 'sqlite' | 'postgres';
export const engines: EngineName[] = ['sqlite', 'postgres'];

/** argon2id with small costs, so tests that hash many passwords stay quick. */
export const testHasher = argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 });

export const systemActor = { kind: 'system' } as const;
export const adminActor = { kind: 'admin', id: 'test-admin' } as const;

export interface OpenedStore {
  url: string;
  store: Store;
  /** Closes the store and removes its file or database. */
  dispose(): Promise<void>;
}

/** Opens a fresh store of the engine: a SQLite file in a temporary folder, or a new database. */
export async function openTestStore(engine: EngineName): Promise<OpenedStore> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'up-store-'));
    const url = join(dir, 'hosted.sqlite');
    const store = await openStore({ url });
    return {
      url,
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const database = await createTestDatabase();
  const store = await openStore({ url: database.url });
  return {
    url: database.url,
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

let anchorCounter = 0;

/** A new anchor in GUID text form, unique within the test process. */
export function newAnchor(): string {
  anchorCounter += 1;
  return `00000000-0000-4000-8000-${anchorCounter.toString(16).padStart(12, '0')}`;
}

/** A user record with every attribute null except the ones given. */
export function userRecord(fields: Partial<DirectoryUserRecord> = {}): DirectoryUserRecord {
  const anchor = fields.anchor ?? newAnchor();
  const name = fields.sAMAccountName ?? `u${anchor.slice(-6)}`;
  return {
    anchor,
    dn: `CN=${name},OU=Staff,DC=corp,DC=example`,
    parentDn: 'OU=Staff,DC=corp,DC=example',
    sid: null,
    sAMAccountName: name,
    userPrincipalName: `${name}@example.com`,
    displayName: `User ${name}`,
    givenName: null,
    sn: null,
    initials: null,
    mail: null,
    primarySmtpAddress: null,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    title: null,
    department: null,
    company: null,
    office: null,
    telephoneNumber: null,
    mobile: null,
    fax: null,
    homePhone: null,
    street: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    description: null,
    employeeId: null,
    managerAnchor: null,
    enabled: true,
    accountExpires: null,
    pwdLastSet: null,
    ...fields,
  };
}

/** Collects log lines in memory, so tests can search them for secrets. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

export interface Harness {
  engine: EngineName;
  opened: OpenedStore;
  service: HostedService;
  clock: ManualClock;
  logs: LogCapture;
  tenantId: string;
  agentId: string;
  epoch: number;
  /** Runs one batch in its own run of the kind given and ends it, complete unless `complete` is false. */
  run(
    kind: RunKind,
    batch: BatchInput,
    complete?: boolean,
  ): Promise<{ batch: BatchResult; end: EndRunResult }>;
  /** Moves the clock on and renews the agent's lease, as a running agent would. */
  advance(milliseconds: number): Promise<void>;
  /** A full run with the given records as the whole scope. */
  fullRun(
    records: DirectoryUserRecord[],
    complete?: boolean,
  ): Promise<{ batch: BatchResult; end: EndRunResult }>;
  dispose(): Promise<void>;
}

/** Makes a service with a clock and a log capture over an opened store. */
export function serviceFor(
  opened: OpenedStore,
  clock: ManualClock,
  logs: LogCapture,
): HostedService {
  const logger = createLogger({ level: 'debug', destination: logs });
  return new HostedService({ store: opened.store, clock, logger, hasher: testHasher });
}

export async function openHarness(engine: EngineName): Promise<Harness> {
  const opened = await openTestStore(engine);
  const clock = new ManualClock('2026-03-01T08:00:00Z');
  const logs = new LogCapture();
  const service = serviceFor(opened, clock, logs);
  const tenant = await service.tenants.create({ name: `Tenant ${newAnchor()}` }, systemActor);
  await service.domains.register(tenant.id, 'example.com', adminActor);
  const install = await service.agents.createInstallCredentials(tenant.id, adminActor);
  const registration = await service.agents.register(install.user, install.password, {
    host: 'dc1-agent',
    dc: 'dc1.corp.example',
    version: '0.1.0',
  });
  if (registration === null) throw new Error('agent registration failed in the harness');
  const lease = await service.lease.acquire(tenant.id, registration.agentId, 600_000);
  if (!lease.acquired) throw new Error('lease acquisition failed in the harness');

  const harness: Harness = {
    engine,
    opened,
    service,
    clock,
    logs,
    tenantId: tenant.id,
    agentId: registration.agentId,
    epoch: lease.lease.epoch,
    async run(kind, batch, complete = true) {
      const ref = { tenantId: harness.tenantId, agentId: harness.agentId, epoch: harness.epoch };
      const run = await service.runs.start(ref.tenantId, ref.agentId, ref.epoch, kind);
      const result = await service.runs.applyBatch({ ...ref, runId: run.id }, batch);
      const end = await service.runs.end({ ...ref, runId: run.id }, complete);
      return { batch: result, end };
    },
    async advance(milliseconds) {
      clock.advance(milliseconds);
      const renewed = await service.lease.renew(
        tenant.id,
        registration.agentId,
        harness.epoch,
        600_000,
      );
      if (!renewed.acquired) throw new Error('lease renewal failed in the harness');
    },
    fullRun(records, complete = true) {
      return harness.run('full', { records, manifest: records.map((r) => r.anchor) }, complete);
    },
    dispose: () => opened.dispose(),
  };
  return harness;
}
