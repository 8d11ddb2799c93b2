import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.ts';

// A second process writes to the file between this process's read and write inside one
// transaction. With a deferred `begin` SQLite fails that write at once with SQLITE_BUSY; with
// `begin immediate` the other process waits for the lock instead.
const writerScript = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 30000');
process.stdin.once('data', () => {
  db.prepare('insert into lock_probe (source) values (?)').run('other');
  db.close();
  process.stdout.write('written\\n');
});
process.stdout.write('ready\\n');
`;

describe('SQLite store transactions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'up-sqlite-lock-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('survive a write from another process', async () => {
    const path = join(dir, 'store.sqlite');
    const store = await openStore({ url: path });
    await sql`create table lock_probe (source text not null)`.execute(store.db);

    const writer = spawn(process.execPath, ['-e', writerScript, path], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: writer.stdout })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('ready');

    const exited = new Promise<number | null>((resolve) => writer.once('exit', resolve));
    await store.db.transaction().execute(async (trx) => {
      await sql`select count(*) from lock_probe`.execute(trx);
      writer.stdin.end('go\n');
      // Give the other process time to try its write while this transaction is open.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sql`insert into lock_probe (source) values ('store')`.execute(trx);
    });

    expect((await lines.next()).value).toBe('written');
    expect(await exited).toBe(0);
    const rows = await sql<{
      source: string;
    }>`select source from lock_probe order by rowid`.execute(store.db);
    expect(rows.rows.map((row) => row.source)).toEqual(['store', 'other']);
    await store.close();
  });
});
