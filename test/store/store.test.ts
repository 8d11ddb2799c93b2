import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { migrations } from '../../src/store/migrations.ts';
import { openStore, storeEngineOf } from '../../src/store/store.ts';
import { engines, openTestStore, type OpenedStore } from '../hosted/harness.ts';

describe('store URL', () => {
  it.each([
    { url: 'postgres://u@127.0.0.1:5432/db', engine: 'postgres' },
    { url: 'postgresql://u@127.0.0.1/db', engine: 'postgres' },
    { url: '/var/lib/userpilot/hosted.sqlite', engine: 'sqlite' },
    { url: ':memory:', engine: 'sqlite' },
  ])('$url is $engine', ({ url, engine }) => {
    expect(storeEngineOf(url)).toBe(engine);
  });

  it('empty URL is rejected', async () => {
    const error = await openStore({ url: ' ' }).catch((e: unknown) => e);
    expect(isUserPilotError(error, 'UP_STORE_URL_INVALID')).toBe(true);
  });

  it('file that is no database is rejected with a code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'up-store-bad-'));
    try {
      const path = join(dir, 'not-a-db.sqlite');
      writeFileSync(
        path,
        'this is not a SQLite file, just text long enough to be read as a header',
      );
      const error = await openStore({ url: path }).catch((e: unknown) => e);
      expect(isUserPilotError(error, 'UP_STORE_OPEN_FAILED')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(engines)('store on %s', (engine) => {
  let opened: OpenedStore | undefined;

  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('migrates to the newest schema and again without change', async () => {
    opened = await openTestStore(engine);
    const again = await openStore({ url: opened.url });
    const applied = await again.db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`name`.as('name'))
      .execute();
    await again.close();
    expect(applied.map((row) => row.name)).toEqual(Object.keys(migrations));
  });

  it('keeps non-ASCII text and keys exactly', async () => {
    opened = await openTestStore(engine);
    const db = opened.store.db;
    await db
      .insertInto('tenants')
      .values({
        id: 't1',
        name: 'Ärzte  Zürich 🏥 ',
        name_key: 'ärzte  zürich 🏥 ',
        created_at: '2026-01-01T00:00:00.000Z',
        agent_install_user: null,
        agent_install_password_hash: null,
        leave_scope_policy: 'disable',
        soft_delete_retention_days: 30,
        removal_guard_max: 500,
        removal_guard_percent: 10,
        autolink_standing: 0,
        autocreate_standing: 0,
        password_min_length: 8,
      })
      .execute();
    const row = await db
      .selectFrom('tenants')
      .selectAll()
      .where('name_key', '=', 'ärzte  zürich 🏥 ')
      .executeTakeFirst();
    expect(row?.name).toBe('Ärzte  Zürich 🏥 ');
    expect(row?.autolink_standing).toBe(0);
  });

  it.runIf(engine === 'sqlite')('SQLite runs in WAL mode', async () => {
    opened = await openTestStore(engine);
    const result = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
      opened.store.db,
    );
    expect(result.rows[0]?.journal_mode).toBe('wal');
  });
});
