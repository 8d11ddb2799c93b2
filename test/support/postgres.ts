import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests use: 127.0.0.1:5432, trust authentication, database `test`, role
 * `postgres` (pg needs a user name, and the environment may set no USER).
 * USERPILOT_TEST_POSTGRES overrides the URL.
 */
export const testPostgresUrl =
  process.env.USERPILOT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface PostgresSchema {
  /** A connection URL whose search_path is the new schema, so the store's tables land there. */
  url: string;
  name: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates an empty schema with a random name in the test database. Each test file (or case)
 * gets its own, so files running in parallel never see each other's tables.
 */
export async function createPostgresSchema(prefix = 'test'): Promise<PostgresSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runSql(`CREATE SCHEMA "${name}"`);
  const url = new URL(testPostgresUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { url: url.toString(), name, drop: () => runSql(`DROP SCHEMA "${name}" CASCADE`) };
}

async function runSql(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
