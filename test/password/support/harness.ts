/**
 * A real hosted service (SQLite store, HTTPS server with the agent API and mailbox sign-in)
 * and a real agent password pipeline (capture on the lab DC's privileged socket, sealed
 * outbox, HTTPS delivery), both in this process, each logging at debug level to its own file
 * so tests can search the logs for passwords.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { agentLogFileName } from '../../../src/agent/agent-log.ts';
import { createPasswordSync } from '../../../src/agent/password/create-password-sync.ts';
import { Outbox } from '../../../src/agent/outbox.ts';
import { ServiceClient } from '../../../src/agent/service-client.ts';
import { openStateDatabase, type StateDatabase } from '../../../src/agent/state-db.ts';
import { ServiceTransport } from '../../../src/agent/transport.ts';
import { systemClock } from '../../../src/core/clock.ts';
import { createLogger, type Logger } from '../../../src/core/log.ts';
import { HostedService, type Actor } from '../../../src/hosted/index.ts';
import type { LabFacts } from '../../../src/lab/facts.ts';
import { labLayout } from '../../../src/lab/layout.ts';
import type { DirectoryUserRecord } from '../../../src/protocol/records.ts';
import { buildServer } from '../../../src/server/app.ts';
import { mailboxSignInPlugin } from '../../../src/server/mailbox-signin/plugin.ts';
import { createLabCertificate, type LabCertificate } from '../../../src/server/tls-certificate.ts';
import { openStore, type Store } from '../../../src/store/store.ts';
import { passwordTestScopeDn, preparePasswordTestScope, type LabUser } from './lab-users.ts';

const system: Actor = { kind: 'system' };

export interface ServiceSide {
  service: HostedService;
  store: Store;
  tenantId: string;
  baseUrl: string;
  certificate: LabCertificate;
  logFile: string;
  logger: Logger;
  /** Closes the HTTPS server; the store stays open. */
  stopServer(): Promise<void>;
  /** Serves again on the same port. */
  startServer(): Promise<void>;
}

function fileLogger(file: string): Logger {
  return createLogger({
    level: 'debug',
    destination: pino.destination({ dest: file, sync: true }),
  });
}

/** Starts the service with one tenant whose mail domain is the lab's. */
export async function startServiceSide(dir: string, facts: LabFacts): Promise<ServiceSide> {
  const logFile = join(dir, 'service.log');
  const logger = fileLogger(logFile);
  const store = await openStore({ url: join(dir, 'hosted.sqlite') });
  const service = new HostedService({ store, clock: systemClock, logger });
  const certificate = await createLabCertificate('localhost', systemClock);
  const tenant = await service.tenants.create({ name: `pw-${Date.now()}` }, system);
  await service.domains.register(tenant.id, facts.mailDomain, system);

  let app: FastifyInstance | undefined;
  let port = 0;
  const startServer = async (): Promise<void> => {
    app = await buildServer({
      service,
      logger,
      clock: systemClock,
      tls: { certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem },
      plugins: [mailboxSignInPlugin({ service, clock: systemClock, logger })],
    });
    await app.listen({ host: '127.0.0.1', port });
    port = (app.server.address() as AddressInfo).port;
  };
  await startServer();
  return {
    service,
    store,
    tenantId: tenant.id,
    get baseUrl() {
      return `https://127.0.0.1:${port}`;
    },
    certificate,
    logFile,
    logger,
    startServer,
    stopServer: async () => {
      await app?.close();
      app = undefined;
    },
  };
}

export interface AgentSide {
  stateDir: string;
  db: StateDatabase;
  outbox: Outbox;
  client: ServiceClient;
  agentId: string;
  logFile: string;
  /** An agent configuration file (mode 0600) naming this agent's state folder and the lab DC. */
  configPath: string;
  start(): void;
  stop(): Promise<void>;
}

/** Registers an agent with the tenant's install credentials and assembles its password sync. */
export async function startAgentSide(
  dir: string,
  facts: LabFacts,
  side: ServiceSide,
): Promise<AgentSide> {
  await preparePasswordTestScope(facts);
  const stateDir = join(dir, 'agent-state');
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // The agent's own log file name, so `userpilot diagnose` collects it.
  const logFile = join(stateDir, agentLogFileName);
  const logger = fileLogger(logFile);
  const db = openStateDatabase(stateDir);
  const outbox = new Outbox(db, systemClock);
  const transport = new ServiceTransport({
    url: side.baseUrl,
    trust: { fingerprint: side.certificate.fingerprintSha256 },
    timeoutMs: 10_000,
  });
  const client = new ServiceClient(transport, systemClock);
  const install = await side.service.agents.createInstallCredentials(side.tenantId, system);
  const registration = await client.signIn(install.user, install.password, {
    host: 'agent.userpilot.test',
    dc: facts.dcHostName,
    version: '0.1.0',
  });
  const configPath = writeAgentConfig(dir, stateDir, facts, side, install);
  const { sync, close } = createPasswordSync({
    capture: {
      enabled: true,
      privateDir: join(labLayout(facts.dir).sambaDir, 'private'),
      gnupgHome: facts.gnupgHome,
      pollSeconds: 0.5,
    },
    stateDir,
    scopeDn: passwordTestScopeDn(facts),
    retryMaxSeconds: 2,
    db,
    outbox,
    client,
    logger,
  });
  return {
    stateDir,
    db,
    outbox,
    client,
    agentId: registration.agentId,
    logFile,
    configPath,
    start: () => sync.start(),
    stop: async () => {
      await close();
      db.close();
    },
  };
}

/** Writes the configuration `userpilot diagnose` reads; the same values the agent runs with. */
function writeAgentConfig(
  dir: string,
  stateDir: string,
  facts: LabFacts,
  side: ServiceSide,
  install: { user: string; password: string },
): string {
  const path = join(dir, 'agent.json');
  const config = {
    stateDir,
    service: {
      url: side.baseUrl,
      installUser: install.user,
      installPassword: install.password,
      fingerprint: side.certificate.fingerprintSha256,
    },
    directory: {
      url: facts.ldapsUrl,
      bindDn: facts.bindDn,
      bindPassword: facts.bindPassword,
      caFile: facts.caFile,
      tlsServerName: facts.dcHostName,
      scopeDn: passwordTestScopeDn(facts),
    },
    passwords: {
      enabled: true,
      privateDir: join(labLayout(facts.dir).sambaDir, 'private'),
      gnupgHome: facts.gnupgHome,
    },
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}

/** Puts the users into the hosted directory through the run protocol and links a mailbox to each. */
export async function linkMailboxes(
  side: ServiceSide,
  agentId: string,
  users: readonly LabUser[],
): Promise<void> {
  const { service, tenantId } = side;
  const lease = await service.lease.acquire(tenantId, agentId, 600_000);
  if (!lease.acquired) throw new Error('the test agent did not get the directory lease');
  const epoch = lease.lease.epoch;
  const run = await service.runs.start(tenantId, agentId, epoch, 'delta');
  const ref = { tenantId, agentId, runId: run.id, epoch };
  await service.runs.applyBatch(ref, { records: users.map(recordOf) });
  await service.runs.end(ref, true);
  const result = await service.links.autocreate(
    tenantId,
    users.map((user) => user.anchor),
    system,
  );
  if (result.skipped.length > 0) {
    throw new Error(`autocreate skipped ${JSON.stringify(result.skipped)}`);
  }
}

function recordOf(user: LabUser): DirectoryUserRecord {
  const nulls = {
    sid: null,
    givenName: null,
    sn: null,
    initials: null,
    primarySmtpAddress: null,
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
    accountExpires: null,
    pwdLastSet: null,
  };
  return {
    ...nulls,
    anchor: user.anchor,
    dn: user.dn,
    parentDn: user.dn.slice(user.dn.indexOf(',') + 1),
    sAMAccountName: user.sAMAccountName,
    userPrincipalName: user.upn,
    displayName: `Password test ${user.sAMAccountName}`,
    mail: user.upn,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    enabled: true,
  };
}

/** POSTs a sign-in to the real endpoint over HTTPS; returns the HTTP status. */
export function signIn(side: ServiceSide, login: string, password: string): Promise<number> {
  const body = JSON.stringify({ login, password });
  return new Promise((resolve, reject) => {
    const call = request(
      `${side.baseUrl}/mailbox/v1/signin`,
      {
        method: 'POST',
        ca: side.certificate.certificatePem,
        servername: 'localhost',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Waits until `check` returns true, polling every 200 ms; false after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A temporary folder for one test file's service and agent. */
export function harnessDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-passwords-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
