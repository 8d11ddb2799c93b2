import { readMeta, writeMeta, type StateDatabase } from '../state-db.ts';

/** Where the capture resumes: the DC database it read, and the first USN not yet read. */
export interface CaptureCursor {
  invocationId: string;
  /** Decimal text; USNs are 64-bit. */
  nextUsn: string;
}

const cursorKey = 'password-capture-cursor';

/**
 * The capture's own state in the agent's state database: its cursor (in the meta table) and,
 * per anchor, the pwdLastSet of the last password captured (FILETIME decimal text), so a user
 * changed for another reason is not captured twice.
 */
export class CaptureState {
  constructor(private readonly db: StateDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS password_capture_seen (
      anchor TEXT PRIMARY KEY,
      pwd_last_set TEXT NOT NULL
    ) WITHOUT ROWID`);
  }

  cursor(): CaptureCursor | undefined {
    return readMeta<CaptureCursor>(this.db, cursorKey);
  }

  saveCursor(cursor: CaptureCursor): void {
    writeMeta(this.db, cursorKey, cursor);
  }

  /** The pwdLastSet (FILETIME text) last captured for the anchor, or undefined. */
  lastCaptured(anchor: string): bigint | undefined {
    const row = this.db
      .prepare('SELECT pwd_last_set FROM password_capture_seen WHERE anchor = ?')
      .get(anchor) as { pwd_last_set: string } | undefined;
    return row === undefined ? undefined : BigInt(row.pwd_last_set);
  }

  markCaptured(anchor: string, pwdLastSet: bigint): void {
    this.db
      .prepare(
        'INSERT INTO password_capture_seen (anchor, pwd_last_set) VALUES (?, ?) ' +
          'ON CONFLICT (anchor) DO UPDATE SET pwd_last_set = excluded.pwd_last_set',
      )
      .run(anchor, pwdLastSet.toString());
  }

  /** Runs `work` in one transaction of the state database. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
