import { Agent, request } from 'node:https';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../../../src/core/clock.ts';
import { createLogger, type Logger } from '../../../../src/core/log.ts';
import { HostedService } from '../../../../src/hosted/index.ts';
import type { DirectoryUserRecord } from '../../../../src/protocol/records.ts';
import { buildServer } from '../../../../src/server/app.ts';
import { scimServerPlugin } from '../../../../src/server/scim/routes/plugin.ts';
import { openStore, type Store } from '../../../../src/store/store.ts';
import { cheapHasher, testCertificate } from '../../support/test-server.ts';

export interface ScimResponse {
  status: number;
  /** Parsed JSON; undefined for an empty body. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export interface ScimRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  token?: string | undefined;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** A JSON-over-HTTPS client that trusts only the test certificate and returns every response. */
export class ScimHttp {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    ca: string,
  ) {
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 4 });
  }

  send(input: ScimRequest): Promise<ScimResponse> {
    const url = new URL(input.path, this.baseUrl);
    const payload =
      input.rawBody ?? (input.body === undefined ? undefined : JSON.stringify(input.body));
    const headers: Record<string, string> = { ...input.headers };
    if (input.token !== undefined) headers.authorization = `Bearer ${input.token}`;
    if (payload !== undefined) {
      headers['content-type'] = input.contentType ?? 'application/scim+json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method: input.method ?? 'GET', headers, agent: this.agent });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            body: text === '' ? undefined : (JSON.parse(text) as unknown),
            headers: response.headers,
          });
        });
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface ScimTestServer {
  url: string;
  http: ScimHttp;
  app: FastifyInstance;
  service: HostedService;
  store: Store;
  clock: ManualClock;
  close(): Promise<void>;
}

/** Serves the SCIM API over HTTPS on an ephemeral loopback port, on a real store. */
export async function startScimServer(storeUrl: string, logger?: Logger): Promise<ScimTestServer> {
  const store = await openStore({ url: storeUrl });
  const clock = new ManualClock(new Date('2026-03-01T08:00:00Z'));
  const log = logger ?? createLogger({ level: 'silent' });
  const service = new HostedService({ store, clock, logger: log, hasher: cheapHasher });

  const certificate = await testCertificate();
  const app = await buildServer({
    service,
    logger: log,
    clock,
    tls: certificate,
    plugins: [scimServerPlugin({ service })],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const url = `https://127.0.0.1:${port}`;
  const http = new ScimHttp(url, certificate.certificatePem);
  return {
    url,
    http,
    app,
    service,
    store,
    clock,
    close: async () => {
      http.close();
      await app.close();
      await store.close();
    },
  };
}

export interface ScimTestTenant {
  id: string;
  domain: string;
  token: string;
  /** Sends records as one delta run of the tenant's agent, as a synchronizing agent would. */
  synchronize(records: DirectoryUserRecord[]): Promise<void>;
}

const system = { kind: 'system' } as const;

/** Creates a tenant with a registered domain, a SCIM token and an agent holding the lease. */
export async function createScimTenant(
  service: HostedService,
  name: string,
): Promise<ScimTestTenant> {
  const tenant = await service.tenants.create({ name }, system);
  const domain = `${name.toLowerCase()}.example`;
  await service.domains.register(tenant.id, domain, system);
  const { token } = await service.scimTokens.create(tenant.id, 'test', system);
  const install = await service.agents.createInstallCredentials(tenant.id, system);
  const registration = await service.agents.register(install.user, install.password, {
    host: 'agent',
    dc: 'dc1',
    version: '0.1.0',
  });
  if (registration === null) throw new Error('The test agent could not register.');
  const lease = await service.lease.acquire(tenant.id, registration.agentId, 600_000);
  if (!lease.acquired) throw new Error('The test agent could not acquire the lease.');

  const synchronize = async (records: DirectoryUserRecord[]): Promise<void> => {
    const ref = { tenantId: tenant.id, agentId: registration.agentId, epoch: lease.lease.epoch };
    const run = await service.runs.start(ref.tenantId, ref.agentId, ref.epoch, 'delta');
    await service.runs.applyBatch({ ...ref, runId: run.id }, { records });
    await service.runs.end({ ...ref, runId: run.id }, true);
  };
  return { id: tenant.id, domain, token, synchronize };
}

let anchorCounter = 0;

/** Builds a directory user record with every attribute null except the ones given. */
export function directoryUser(
  upn: string,
  fields: Partial<DirectoryUserRecord> = {},
): DirectoryUserRecord {
  anchorCounter += 1;
  const anchor =
    fields.anchor ?? `5c1d0000-0000-4000-8000-${anchorCounter.toString(16).padStart(12, '0')}`;
  const name = upn.split('@')[0] ?? upn;
  return {
    anchor,
    dn: `CN=${name},OU=Staff,DC=corp,DC=example`,
    parentDn: 'OU=Staff,DC=corp,DC=example',
    sid: null,
    sAMAccountName: name,
    userPrincipalName: upn,
    displayName: name,
    givenName: null,
    sn: null,
    initials: null,
    mail: upn,
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
