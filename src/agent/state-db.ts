import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { UserPilotError } from '../protocol/errors.ts';

export type StateDatabase = Database.Database;

/** The file name of the agent's state database inside its state folder. */
export const stateDbFileName = 'agent-state.sqlite';

const schemaVersion = 1;

const schema = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
-- One row per read of the directory. Runs are uploaded strictly in id order, so the changes of
-- one object reach the service in the order they were read.
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('full', 'delta')),
  status TEXT NOT NULL CHECK (status IN ('reading', 'queued', 'ended')),
  read_complete INTEGER NOT NULL DEFAULT 0,
  remote_run_id TEXT,
  epoch INTEGER,
  batches_sent INTEGER NOT NULL DEFAULT 0,
  records_sent INTEGER NOT NULL DEFAULT 0,
  removals_sent INTEGER NOT NULL DEFAULT 0,
  manifest_count INTEGER NOT NULL DEFAULT 0,
  manifest_sent INTEGER NOT NULL DEFAULT 0,
  records_read INTEGER NOT NULL DEFAULT 0,
  changes_queued INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  read_ended_at TEXT,
  ended_at TEXT,
  result TEXT
);
-- Messages waiting for the service, oldest first. A row is deleted only once the service
-- confirmed it. run_id is null for messages outside the run protocol (password deliveries).
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER REFERENCES runs(id),
  kind TEXT NOT NULL,
  anchor TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  -- The batch sequence number this message was assigned to before it was first sent. A batch
  -- resent after a crash must hold exactly the same messages, because the service answers a
  -- repeated sequence with the results of its first delivery.
  batch INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_by_run ON outbox (run_id, seq);
CREATE INDEX IF NOT EXISTS outbox_by_kind ON outbox (kind, seq);
-- Every anchor a full run read, in read order, until the run's manifest is sent.
CREATE TABLE IF NOT EXISTS manifest (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  position INTEGER NOT NULL,
  anchor TEXT NOT NULL,
  PRIMARY KEY (run_id, position)
) WITHOUT ROWID;
-- The last state of each anchor committed for sending: the diff base. Read metadata
-- (whenChanged, uSNChanged) is never part of it.
CREATE TABLE IF NOT EXISTS sent_state (
  anchor TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  record TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
`;

/**
 * Opens (creating when needed) the agent's state database in `stateDir`.
 *
 * WAL lets `userpilot status` read while the agent writes. synchronous=FULL makes each commit
 * durable across a power loss too, not only across a crash of the process: a password captured
 * on the DC cannot be read again, so a commit that the agent relied on must never roll back.
 * Commits are one per page of records, so the extra fsync costs little.
 */
export function openStateDatabase(
  stateDir: string,
  options: { readonly?: boolean } = {},
): StateDatabase {
  const path = join(stateDir, stateDbFileName);
  if (options.readonly === true) {
    if (!existsSync(path)) {
      throw new UserPilotError(
        'UP_AGENT_STATE_MISSING',
        `The agent state database ${path} does not exist.`,
        {
          hint: 'Start the agent once with `userpilot agent run`, or check stateDir in the configuration.',
          details: { path },
        },
      );
    }
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    return db;
  }

  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const db = new Database(path);
  // The database holds the agent's own credential, so only its owner may read it.
  chmodSync(path, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: StateDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= schemaVersion) return;
  db.transaction(() => {
    db.exec(schema);
    db.pragma(`user_version = ${schemaVersion}`);
  })();
}

/** Reads one JSON value of the meta table, or undefined. */
export function readMeta<T>(db: StateDatabase, key: string): T | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
    { value: string } | undefined;
  return row === undefined ? undefined : (JSON.parse(row.value) as T);
}

export function writeMeta(db: StateDatabase, key: string, value: unknown): void {
  db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, JSON.stringify(value));
}

export function deleteMeta(db: StateDatabase, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}
