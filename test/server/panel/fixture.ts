/**
 * A real hosted service on a real SQLite store behind the real HTTPS server, on an ephemeral
 * loopback port, with seed helpers that go through HostedService only. Directory objects arrive
 * through the same run protocol (start, applyBatch, end) that agents use.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../../src/core/clock.ts';
import { createLogger } from '../../../src/core/log.ts';
import { HostedService, type Actor } from '../../../src/hosted/index.ts';
import type { DirectoryUserRecord } from '../../../src/protocol/records.ts';
import { buildServer } from '../../../src/server/app.ts';
import { panelServerPlugin } from '../../../src/server/panel/plugin.ts';
import { createLabCertificate } from '../../../src/server/tls-certificate.ts';
import { openStore, type Store } from '../../../src/store/store.ts';

export const system: Actor = { kind: 'system' };

export interface PanelFixture {
  service: HostedService;
  clock: ManualClock;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  fingerprint: string;
  /** Every log line the service wrote, at debug level and above, as JSON text. */
  logLines: string[];
  close(): Promise<void>;
}

/** Starts the service and the HTTPS server. The clock starts at the real time and moves only when a test advances it. */
export async function startPanelFixture(): Promise<PanelFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-panel-'));
  const clock = new ManualClock(new Date());
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logLines.push(line) },
  });
  const store: Store = await openStore({ url: join(dir, 'hosted.sqlite') });
  const service = new HostedService({ store, clock, logger });
  const certificate = await createLabCertificate('localhost', clock);
  const app: FastifyInstance = await buildServer({
    service,
    logger,
    clock,
    tls: { certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem },
    plugins: [panelServerPlugin({ service, clock, logger })],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    service,
    clock,
    baseUrl: `https://127.0.0.1:${port}`,
    fingerprint: certificate.fingerprintSha256,
    logLines,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let anchorCounter = 0;

/** Makes a new anchor in objectGUID text form, unique within the test run. */
export function newAnchor(): string {
  anchorCounter += 1;
  return `0000${anchorCounter.toString(16).padStart(4, '0')}-1111-2222-3333-444455556666`;
}

/** Builds a whole directory record with the given values and nulls elsewhere. */
export function userRecord(values: {
  anchor?: string;
  upn: string | null;
  displayName: string | null;
  givenName?: string;
  sn?: string;
}): DirectoryUserRecord {
  const name = values.upn?.split('@')[0] ?? values.displayName ?? 'user';
  const dn = `CN=${name},OU=Staff,DC=corp,DC=example`;
  return {
    anchor: values.anchor ?? newAnchor(),
    dn,
    parentDn: 'OU=Staff,DC=corp,DC=example',
    sid: null,
    sAMAccountName: name.slice(0, 20),
    userPrincipalName: values.upn,
    displayName: values.displayName,
    givenName: values.givenName ?? null,
    sn: values.sn ?? null,
    initials: null,
    mail: values.upn?.includes('@') === true ? values.upn : null,
    primarySmtpAddress: null,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    title: 'Engineer',
    department: 'Research',
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
  };
}

/** A tenant with one admin; returns the tenant id. */
export async function seedTenant(
  service: HostedService,
  name: string,
  admin: { username: string; password: string },
): Promise<string> {
  const tenant = await service.tenants.create({ name }, system);
  await service.admins.create(tenant.id, admin, system);
  return tenant.id;
}

/** Registers an agent of the tenant as a real agent would and has it take the directory lease. */
export async function seedAgent(service: HostedService, tenantId: string, dc: string) {
  const install = await service.agents.createInstallCredentials(tenantId, system);
  const hello = { host: `${dc}.corp.example`, dc, version: '0.1.0' };
  const registration = await service.agents.register(install.user, install.password, hello);
  if (registration === null) throw new Error('agent registration failed in the fixture');
  await service.agents.heartbeat(tenantId, registration.agentId, hello);
  const lease = await service.lease.acquire(tenantId, registration.agentId, 90_000);
  if (!lease.acquired) throw new Error('lease acquisition failed in the fixture');
  return { agentId: registration.agentId, epoch: lease.lease.epoch };
}

/**
 * Sends one run of records, as the agent does. A full run lists `manifest` (every anchor in the
 * scope, records included); anchors missing from it are removed or held by the guard.
 */
export async function sendRun(
  service: HostedService,
  tenantId: string,
  agent: { agentId: string; epoch: number },
  run: { kind: 'full' | 'delta'; records: DirectoryUserRecord[]; manifest?: string[] },
) {
  const started = await service.runs.start(tenantId, agent.agentId, agent.epoch, run.kind);
  const ref = { tenantId, agentId: agent.agentId, runId: started.id, epoch: agent.epoch };
  const manifest = run.manifest ?? run.records.map((record) => record.anchor);
  const batch = await service.runs.applyBatch(ref, {
    records: run.records,
    ...(run.kind === 'full' ? { manifest } : {}),
  });
  const end = await service.runs.end(ref, true);
  return { batch, end };
}
