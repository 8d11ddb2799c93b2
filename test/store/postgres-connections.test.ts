import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';
import { adminUrl, createTestDatabase } from '../support/postgres.ts';

async function terminateConnections(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL store connections', () => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  it('survive the server ending idle connections', async () => {
    const database = await createTestDatabase();
    drops.push(() => database.drop());
    const errors: Error[] = [];
    const store = await openStore({
      url: database.url,
      onConnectionError: (error) => errors.push(error),
    });
    await sql`select 1`.execute(store.db);

    expect(await terminateConnections(database.name)).toBeGreaterThan(0);
    // The pool reports the ended connection when its socket closes.
    for (let waited = 0; errors.length === 0 && waited < 60_000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(errors.length).toBeGreaterThan(0);

    const result = await sql<{ answer: number }>`select 42 as answer`.execute(store.db);
    expect(result.rows[0]?.answer).toBe(42);
    await store.close();
  });
});
