/**
 * Opening the hosted store: a SQLite file (the default) or a PostgreSQL database, with the
 * schema migrated to the newest version before the store is handed out.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, type Transaction } from 'kysely';
import { ImmediateSqliteDialect } from './sqlite-dialect.ts';
import pg from 'pg';
import { UserPilotError } from '../protocol/errors.ts';
import { migrationProvider } from './migrations.ts';
import type { Database } from './schema.ts';

export type StoreEngine = 'sqlite' | 'postgres';

export interface Store {
  readonly engine: StoreEngine;
  readonly db: Kysely<Database>;
  /** Closes the SQLite file or ends the PostgreSQL pool. */
  close(): Promise<void>;
}

export type StoreTransaction = Transaction<Database>;

export interface OpenStoreOptions {
  /** A SQLite file path (`:memory:` for a private in-memory one) or a `postgres://` URL. */
  url: string;
  /** PostgreSQL pool size; default 10. */
  maxConnections?: number;
  /**
   * Receives errors of idle PostgreSQL connections (the server restarted or ended them). The
   * pool drops such a connection and opens a new one for the next query; without a listener,
   * pg's pool would throw the error as an uncaught exception and end the process.
   */
  onConnectionError?: (error: Error) => void;
}

/** Tells which engine a store URL names. */
export function storeEngineOf(url: string): StoreEngine {
  return /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/** Opens the store the URL names and migrates its schema to the newest version. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const engine = storeEngineOf(options.url);
  const db = engine === 'postgres' ? openPostgres(options) : openSqlite(options.url);
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { engine, db, close: () => db.destroy() };
}

function openSqlite(path: string): Kysely<Database> {
  if (path.trim() === '') {
    throw new UserPilotError('UP_STORE_URL_INVALID', 'The store URL is empty.', {
      hint: 'Pass a SQLite file path or a postgres:// URL.',
    });
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let database: BetterSqlite3.Database | undefined;
  try {
    database = new BetterSqlite3(path);
    // WAL lets readers go on while a batch is written; NORMAL sync is durable in WAL mode
    // except for the last transactions before a power loss.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 10000');
  } catch (cause) {
    database?.close();
    throw new UserPilotError('UP_STORE_OPEN_FAILED', `Cannot open the SQLite store at ${path}.`, {
      hint: 'Check that the folder is writable and that the file is a SQLite database.',
      details: { path },
      cause,
    });
  }
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
}

function openPostgres(options: OpenStoreOptions): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
  });
  pool.on('error', (error) => options.onConnectionError?.(error));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

async function migrateToLatest(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;

  const failed = results?.find((result) => result.status === 'Error')?.migrationName;
  throw new UserPilotError(
    'UP_STORE_MIGRATION_FAILED',
    `Migrating the store schema failed${failed === undefined ? '' : ` at ${failed}`}.`,
    {
      hint: 'Check that the database is reachable and that this version is not older than the schema.',
      details: { migration: failed ?? null },
      cause: error,
    },
  );
}
