/**
 * Ingest speed of the hosted store: N user records through RunApi.applyBatch in batches of
 * 1,000 (one full run), into SQLite and into PostgreSQL, then the same records again (all
 * unchanged), then mailbox listing over M mailboxes. Prints objects per second and peak RSS.
 *
 *   npx tsx bench/ingest-store.ts [--count 100000] [--mailboxes 50000] [--engine sqlite|postgres]
 *
 * Without --engine each engine runs in a child process of its own, so peak RSS is per engine.
 * Per-CPU-second figures count this process only (for PostgreSQL, not the server's work), and
 * stay meaningful on a machine shared with other load, where wall-clock figures do not.
 * PostgreSQL is the server at 127.0.0.1:5432 (USERPILOT_TEST_POSTGRES overrides), in a
 * database created for the run and dropped after it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/core/log.ts';
import { HostedService } from '../src/hosted/service.ts';
import { argon2idHasher } from '../src/hosted/secrets.ts';
import { keyOf } from '../src/hosted/keys.ts';
import type { DirectoryUserRecord } from '../src/protocol/records.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    mailboxes: { type: 'string', default: '50000' },
    engine: { type: 'string' },
  },
});
const count = Number(values.count);
const mailboxCount = Number(values.mailboxes);
const batchSize = 1000;

function record(index: number): DirectoryUserRecord {
  const name = `user${index}`;
  const anchor = `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
  return {
    anchor,
    dn: `CN=User ${index},OU=Staff,DC=corp,DC=example`,
    parentDn: 'OU=Staff,DC=corp,DC=example',
    sid: `S-1-5-21-1000-2000-3000-${10000 + index}`,
    sAMAccountName: name,
    userPrincipalName: `${name}@example.com`,
    displayName: `User Number ${index}`,
    givenName: 'User',
    sn: `Number ${index}`,
    initials: null,
    mail: `${name}@example.com`,
    primarySmtpAddress: `${name}@example.com`,
    secondarySmtpAddresses: [`alias${index}@example.com`],
    otherProxyAddresses: [],
    title: 'Engineer',
    department: `Department ${index % 40}`,
    company: 'Example Corp',
    office: `Building ${index % 7}`,
    telephoneNumber: `+1 555 ${String(index % 10000).padStart(4, '0')}`,
    mobile: null,
    fax: null,
    homePhone: null,
    street: 'Main Street 1',
    city: 'Springfield',
    state: null,
    postalCode: '12345',
    country: 'United States',
    description: null,
    employeeId: String(index),
    managerAnchor: null,
    enabled: true,
    accountExpires: null,
    pwdLastSet: '2026-01-01T00:00:00.000Z',
  };
}

async function ingest(service: HostedService, tenantId: string, agentId: string, epoch: number) {
  const run = await service.runs.start(tenantId, agentId, epoch, 'full');
  const ref = { tenantId, agentId, epoch, runId: run.id };
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  for (let start = 0; start < count; start += batchSize) {
    const records = Array.from({ length: Math.min(batchSize, count - start) }, (_, i) =>
      record(start + i),
    );
    await service.runs.applyBatch(ref, { records, manifest: records.map((r) => r.anchor) });
  }
  await service.runs.end(ref, true);
  const cpu = process.cpuUsage(cpuStarted);
  return {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** Writes mailbox rows straight into the store, then times the panel's list queries. */
async function listMailboxes(store: Store, service: HostedService, tenantId: string) {
  const now = new Date().toISOString();
  for (let start = 0; start < mailboxCount; start += 500) {
    const ids = Array.from({ length: Math.min(500, mailboxCount - start) }, (_, i) => start + i);
    const rows = ids.map((i) => ({
      id: `mbx-${String(i).padStart(8, '0')}`,
      tenant_id: tenantId,
      upn: `box${i}@example.com`,
      upn_key: keyOf(`box${i}@example.com`),
      display_name: `Mailbox ${i}`,
      display_name_key: keyOf(`Mailbox ${i}`),
      profile: '{}',
      enabled: 1 as const,
      account_expires: null,
      password_hash: null,
      password_set_at: null,
      linked_anchor: null,
      linked_at: null,
      former_anchor: null,
      deleted_at: null,
      purge_after: null,
      created_at: now,
      updated_at: now,
    }));
    await store.db.insertInto('mailboxes').values(rows).execute();
    await store.db
      .insertInto('mailbox_addresses')
      .values(
        rows.map((r) => ({
          tenant_id: tenantId,
          mailbox_id: r.id,
          address: r.upn,
          address_key: r.upn_key,
          is_primary: 1 as const,
        })),
      )
      .execute();
  }
  const time = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return Math.round(performance.now() - started);
  };
  let cursor: string | null = null;
  const firstPage = await time(async () => {
    cursor = (await service.mailboxes.list(tenantId, { limit: 50 })).nextCursor;
  });
  const nextPage = await time(() =>
    service.mailboxes.list(tenantId, { limit: 50, ...(cursor === null ? {} : { cursor }) }),
  );
  const offsetPage = await time(() =>
    service.mailboxes.list(tenantId, { limit: 50, offset: 40_000 }),
  );
  const search = await time(() =>
    service.mailboxes.list(tenantId, { limit: 50, search: 'mailbox 4999' }),
  );
  return { firstPage, nextPage, offsetPage, search };
}

async function runEngine(engine: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'up-bench-'));
  const database = engine === 'postgres' ? await createTestDatabase() : undefined;
  const url = database?.url ?? join(dir, 'hosted.sqlite');
  const store = await openStore({ url });
  try {
    const service = new HostedService({
      store,
      logger: createLogger({ level: 'warn' }),
      hasher: argon2idHasher({ memoryCost: 1024, timeCost: 1, parallelism: 1 }),
    });
    const tenant = await service.tenants.create({ name: 'Bench' }, { kind: 'system' });
    await service.domains.register(tenant.id, 'example.com', { kind: 'system' });
    const install = await service.agents.createInstallCredentials(tenant.id, { kind: 'system' });
    const agent = await service.agents.register(install.user, install.password, {
      host: 'bench',
      dc: 'dc',
      version: '0',
    });
    if (agent === null) throw new Error('registration failed');
    const lease = await service.lease.acquire(tenant.id, agent.agentId, 600_000);

    const first = await ingest(service, tenant.id, agent.agentId, lease.lease.epoch);
    const again = await ingest(service, tenant.id, agent.agentId, lease.lease.epoch);
    const list = await listMailboxes(store, service, tenant.id);
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    console.log(
      JSON.stringify({
        engine,
        count,
        firstRunSeconds: Number(first.seconds.toFixed(2)),
        firstRunObjectsPerSecond: Math.round(count / first.seconds),
        firstRunObjectsPerCpuSecond: Math.round(count / first.cpuSeconds),
        unchangedRunObjectsPerSecond: Math.round(count / again.seconds),
        unchangedRunObjectsPerCpuSecond: Math.round(count / again.cpuSeconds),
        mailboxes: mailboxCount,
        listMs: list,
        peakRssMb,
      }),
    );
  } finally {
    await store.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.engine !== undefined) {
  await runEngine(values.engine);
} else {
  for (const engine of ['sqlite', 'postgres']) {
    const child = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        import.meta.filename,
        '--engine',
        engine,
        '--count',
        String(count),
        '--mailboxes',
        String(mailboxCount),
      ],
      {
        stdio: 'inherit',
      },
    );
    if (child.status !== 0) process.exitCode = 1;
  }
}
