/**
 * Measures the server time of the control panel's Mailboxes list page at 50,000 mailboxes.
 *
 *   npx tsx bench/panel-mailboxes.ts [--mailboxes 50000] [--requests 200] [--store URL]
 *
 * Seeds one tenant through HostedService, in a SQLite file in a temporary folder unless --store
 * names another store. Then it sends GET requests through fastify's inject, so the time is the
 * server's alone: routing, session lookup, the list query and rendering, without TLS or a
 * network. Prints p50, p95 and max per scenario, in milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fastify from 'fastify';
import { systemClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/log.ts';
import { HostedService, type Actor } from '../src/hosted/index.ts';
import { registerPanel } from '../src/server/panel/plugin.ts';
import { sessionCookieName } from '../src/server/panel/session-cookie.ts';
import { openStore } from '../src/store/store.ts';

const system: Actor = { kind: 'system' };

const { values } = parseArgs({
  options: {
    mailboxes: { type: 'string', default: '50000' },
    requests: { type: 'string', default: '200' },
    store: { type: 'string' },
  },
});
const mailboxCount = Number(values.mailboxes);
const requestCount = Number(values.requests);

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function seed(service: HostedService): Promise<{ tenantId: string; token: string }> {
  const tenant = await service.tenants.create({ name: 'Bench' }, system);
  const admin = await service.admins.create(
    tenant.id,
    { username: 'bench.admin', password: 'Bench-admin-password-1' },
    system,
  );
  await service.domains.register(tenant.id, 'bench.example', system);
  const started = Date.now();
  for (let index = 0; index < mailboxCount; index += 1) {
    const number = String(index).padStart(6, '0');
    await service.mailboxes.create(
      tenant.id,
      { upn: `user${number}@bench.example`, displayName: `Bench User ${number}` },
      system,
    );
    if ((index + 1) % 10_000 === 0) {
      console.error(
        `seeded ${index + 1} mailboxes in ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  }
  const { token } = await service.sessions.create({
    subjectKind: 'admin',
    subjectId: admin.id,
    tenantId: tenant.id,
    ttlMs: 24 * 60 * 60 * 1000,
  });
  return { tenantId: tenant.id, token };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-bench-'));
  const logger = createLogger({ level: 'warn' });
  const store = await openStore({ url: values.store ?? join(dir, 'hosted.sqlite') });
  const service = new HostedService({ store, logger });
  const app = fastify();
  await registerPanel(app, { service, clock: systemClock, logger });
  await app.ready();

  const { tenantId, token } = await seed(service);
  const scenarios: Record<string, string> = {
    'first page': '/panel/mailboxes',
    'search (prefix of many)': '/panel/mailboxes?q=user04',
    'search (one match)': `/panel/mailboxes?q=user${String(mailboxCount - 1).padStart(6, '0')}`,
    'next page (cursor)': '/panel/mailboxes',
  };
  const cursorPage = await service.mailboxes.list(tenantId, { limit: 50 });
  if (cursorPage.nextCursor !== null) {
    scenarios['next page (cursor)'] =
      `/panel/mailboxes?cursor=${encodeURIComponent(cursorPage.nextCursor)}`;
  }

  console.log(
    `Mailboxes list page, ${mailboxCount} mailboxes, ${requestCount} requests per scenario, store ${store.engine}`,
  );
  for (const [name, url] of Object.entries(scenarios)) {
    const times: number[] = [];
    for (let index = 0; index < requestCount; index += 1) {
      const start = process.hrtime.bigint();
      const response = await app.inject({
        method: 'GET',
        url,
        cookies: { [sessionCookieName]: token },
      });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
      if (response.statusCode !== 200) throw new Error(`${url} returned ${response.statusCode}`);
    }
    times.sort((left, right) => left - right);
    const line = [50, 95].map((p) => `p${p} ${percentile(times, p / 100).toFixed(1)} ms`);
    console.log(`${name.padEnd(26)} ${line.join('  ')}  max ${times.at(-1)?.toFixed(1)} ms`);
  }

  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

await main();
