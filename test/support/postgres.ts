/**
 * Fresh PostgreSQL databases for tests: each test file creates its own on the server at
 * 127.0.0.1:5432 (trust authentication) and drops it afterwards, so files never share state.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The database used to create and drop test databases; override with USERPILOT_TEST_POSTGRES. */
export const adminUrl =
  process.env.USERPILOT_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  /** The connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function runAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `up_test_<random>`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `up_test_${randomBytes(6).toString('hex')}`;
  await runAdmin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => runAdmin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export interface PostgresSchema {
  /** A connection URL whose search_path is the new schema, so the store's tables land there. */
  url: string;
  name: string;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

/** Creates an empty schema with a random name in the test database, for lighter isolation. */
export async function createPostgresSchema(prefix = 'test'): Promise<PostgresSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await runAdmin(`CREATE SCHEMA "${name}"`);
  const url = new URL(adminUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return { url: url.toString(), name, drop: () => runAdmin(`DROP SCHEMA "${name}" CASCADE`) };
}
