import {
  CompiledQuery,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type SqliteDialectConfig,
} from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a deferred `begin`. In WAL mode, a deferred
 * transaction that reads first and then writes fails at once with SQLITE_BUSY ("database is
 * locked") when another connection wrote in between, and SQLite's busy timeout does not apply to
 * that case. `begin immediate` takes the write lock up front, so a second process on the same file
 * (the CLI beside a running service, a test beside its server) waits for the busy timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** The SQLite dialect with transactions that take the write lock when they begin. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}
