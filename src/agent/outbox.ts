import type { Clock } from '../core/clock.ts';
import type { ObjectResult } from '../protocol/batch.ts';
import type { DirectoryUserRecord } from '../protocol/records.ts';
import type {
  DeltaChange,
  LocalRun,
  OutboxKind,
  RunResult,
  StoredMessage,
} from './outbox-types.ts';
import {
  emptyResult,
  mergeResults,
  toLocalRun,
  toStoredMessage,
  type MessageRow,
  type RunRow,
} from './outbox-rows.ts';
import { canonicalRecordJson, digestRecord } from './record-digest.ts';
import { writeMeta, type StateDatabase } from './state-db.ts';

/** The meta key of the directory watermark committed with the changes read up to it. */
export const watermarkKey = 'watermark';

/**
 * The durable outbox and diff base of the agent. Every change is committed here before it is
 * sent, in the same transaction as the new diff base and the watermark, so a crash at any point
 * either keeps a change queued or leaves it to be read again; it never loses one.
 */
export class Outbox {
  constructor(
    private readonly db: StateDatabase,
    private readonly clock: Clock,
  ) {}

  /**
   * Turns runs whose read was cut short by a crash into delta runs: what they queued is still
   * sent, but their partial manifest is dropped, since only a complete read may imply removals.
   * Returns how many runs were recovered.
   */
  recoverInterruptedReads(): number {
    return this.db.transaction(() => {
      const rows = this.db.prepare("SELECT id FROM runs WHERE status = 'reading'").all() as {
        id: number;
      }[];
      for (const { id } of rows) {
        this.db.prepare('DELETE FROM manifest WHERE run_id = ?').run(id);
        this.db
          .prepare(
            "UPDATE runs SET kind = 'delta', status = 'queued', read_complete = 0, manifest_count = 0, read_ended_at = ? WHERE id = ?",
          )
          .run(this.now(), id);
      }
      return rows.length;
    })();
  }

  /** Opens a local full run; its records arrive page by page. */
  beginFullRun(): number {
    const result = this.db
      .prepare("INSERT INTO runs (kind, status, started_at) VALUES ('full', 'reading', ?)")
      .run(this.now());
    return Number(result.lastInsertRowid);
  }

  /**
   * Adds one page of a full read: every anchor joins the manifest, and records whose state
   * differs from the last state sent are queued. Returns how many were queued.
   */
  addFullReadPage(runId: number, records: readonly DirectoryUserRecord[]): number {
    return this.db.transaction(() => {
      const run = this.requireRun(runId);
      let position = run.manifestCount;
      let queued = 0;
      const addAnchor = this.db.prepare(
        'INSERT INTO manifest (run_id, position, anchor) VALUES (?, ?, ?)',
      );
      for (const record of records) {
        addAnchor.run(runId, position, record.anchor);
        position += 1;
        if (this.queueIfChanged(runId, record)) queued += 1;
      }
      this.db
        .prepare(
          'UPDATE runs SET manifest_count = ?, records_read = records_read + ?, changes_queued = changes_queued + ? WHERE id = ?',
        )
        .run(position, records.length, queued, runId);
      return queued;
    })();
  }

  /**
   * Closes the read of a full run. When the read is complete, anchors of the last-sent set that
   * it did not contain have left the scope: they leave the diff base (the service computes the
   * removals from the manifest), so one that comes back is sent again. Returns those anchors.
   */
  endFullRead(runId: number, complete: boolean, watermark: unknown): string[] {
    return this.db.transaction(() => {
      let left: string[] = [];
      if (complete) {
        left = (
          this.db
            .prepare(
              'SELECT anchor FROM sent_state WHERE anchor NOT IN (SELECT anchor FROM manifest WHERE run_id = ?)',
            )
            .all(runId) as { anchor: string }[]
        ).map((row) => row.anchor);
        const forget = this.db.prepare('DELETE FROM sent_state WHERE anchor = ?');
        for (const anchor of left) forget.run(anchor);
        if (watermark !== undefined) writeMeta(this.db, watermarkKey, watermark);
      }
      this.db
        .prepare(
          "UPDATE runs SET status = 'queued', read_complete = ?, read_ended_at = ? WHERE id = ?",
        )
        .run(complete ? 1 : 0, this.now(), runId);
      return left;
    })();
  }

  /**
   * Queues the changes of one delta read with its new watermark, in one transaction. Records
   * equal to the last state sent are skipped. Returns the local run id, or null when nothing
   * needed sending (the watermark still advances).
   */
  enqueueDelta(changes: readonly DeltaChange[], watermark: unknown): number | null {
    return this.db.transaction(() => {
      const now = this.now();
      const runId = Number(
        this.db
          .prepare(
            "INSERT INTO runs (kind, status, read_complete, started_at, read_ended_at) VALUES ('delta', 'queued', 1, ?, ?)",
          )
          .run(now, now).lastInsertRowid,
      );
      let queued = 0;
      for (const change of changes) {
        if (change.kind === 'upsert') {
          if (this.queueIfChanged(runId, change.record)) queued += 1;
        } else {
          this.db.prepare('DELETE FROM sent_state WHERE anchor = ?').run(change.anchor);
          this.insertMessage(
            runId,
            'removal',
            change.anchor,
            JSON.stringify({ reason: change.reason }),
          );
          queued += 1;
        }
      }
      writeMeta(this.db, watermarkKey, watermark);
      if (queued === 0) {
        this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
        return null;
      }
      this.db
        .prepare('UPDATE runs SET records_read = ?, changes_queued = ? WHERE id = ?')
        .run(changes.length, queued, runId);
      return runId;
    })();
  }

  /** Queues a sealed password delivery; it is sent outside the run protocol. */
  enqueuePassword(anchor: string, sealed: string): number {
    return this.insertMessage(null, 'password', anchor, sealed);
  }

  /** The oldest run not yet ended: the only one the uploader may send, so order is kept. */
  nextRunToSend(): LocalRun | undefined {
    const row = this.db
      .prepare("SELECT * FROM runs WHERE status != 'ended' ORDER BY id LIMIT 1")
      .get() as RunRow | undefined;
    return row === undefined ? undefined : toLocalRun(row);
  }

  getRun(runId: number): LocalRun | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined;
    return row === undefined ? undefined : toLocalRun(row);
  }

  /** The most recently ended run, for status reports. */
  lastEndedRun(): LocalRun | undefined {
    const row = this.db
      .prepare("SELECT * FROM runs WHERE status = 'ended' ORDER BY id DESC LIMIT 1")
      .get() as RunRow | undefined;
    return row === undefined ? undefined : toLocalRun(row);
  }

  /** Ties a local run to a run the service opened; batches start again from sequence 1. */
  attachRemoteRun(runId: number, remoteRunId: string, epoch: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'UPDATE runs SET remote_run_id = ?, epoch = ?, batches_sent = 0, records_sent = 0, removals_sent = 0, manifest_sent = 0, result = NULL WHERE id = ?',
        )
        .run(remoteRunId, epoch, runId);
      this.db.prepare('UPDATE outbox SET batch = NULL WHERE run_id = ?').run(runId);
    })();
  }

  /**
   * Returns the messages of batch `sequence` of a run. Messages assigned to it before (a batch
   * whose confirmation a crash lost) are returned unchanged; otherwise the oldest unassigned
   * messages, at most `limit`, are assigned to it first.
   */
  assignBatch(runId: number, sequence: number, limit: number): StoredMessage[] {
    return this.db.transaction(() => {
      const assigned = this.db
        .prepare('SELECT * FROM outbox WHERE run_id = ? AND batch = ? ORDER BY seq')
        .all(runId, sequence) as MessageRow[];
      if (assigned.length > 0) return assigned.map(toStoredMessage);
      const fresh = this.db
        .prepare('SELECT * FROM outbox WHERE run_id = ? AND batch IS NULL ORDER BY seq LIMIT ?')
        .all(runId, limit) as MessageRow[];
      const mark = this.db.prepare('UPDATE outbox SET batch = ? WHERE seq = ?');
      for (const row of fresh) mark.run(sequence, row.seq);
      return fresh.map((row) => toStoredMessage({ ...row, batch: sequence }));
    })();
  }

  /**
   * Records the service's response to a batch: its messages leave the outbox, and an object the
   * service rejected leaves the diff base, so the next full read sends it again.
   */
  confirmBatch(
    runId: number,
    sequence: number,
    results: readonly ObjectResult[],
    manifestSent?: number,
  ): void {
    this.db.transaction(() => {
      const sent = this.db
        .prepare(
          "SELECT COALESCE(SUM(kind = 'upsert'), 0) AS records, COALESCE(SUM(kind = 'removal'), 0) AS removals " +
            'FROM outbox WHERE run_id = ? AND batch = ?',
        )
        .get(runId, sequence) as { records: number; removals: number };
      this.db.prepare('DELETE FROM outbox WHERE run_id = ? AND batch = ?').run(runId, sequence);
      const forget = this.db.prepare('DELETE FROM sent_state WHERE anchor = ?');
      for (const result of results) {
        if (result.status === 'rejected') forget.run(result.anchor);
      }
      const run = this.requireRun(runId);
      const merged = mergeResults(run.result, results);
      this.db
        .prepare(
          'UPDATE runs SET batches_sent = ?, records_sent = records_sent + ?, removals_sent = removals_sent + ?, ' +
            'manifest_sent = ?, result = ? WHERE id = ?',
        )
        .run(
          sequence,
          sent.records,
          sent.removals,
          manifestSent ?? run.manifestSent,
          JSON.stringify(merged),
          runId,
        );
    })();
  }

  /** True when every directory message of the run has been confirmed. */
  runDrained(runId: number): boolean {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE run_id = ?').get(runId) as {
      n: number;
    };
    return row.n === 0;
  }

  /** Anchors of a full run's manifest from `position` on, at most `limit`. */
  readManifest(runId: number, position: number, limit: number): string[] {
    const rows = this.db
      .prepare(
        'SELECT anchor FROM manifest WHERE run_id = ? AND position >= ? ORDER BY position LIMIT ?',
      )
      .all(runId, position, limit) as { anchor: string }[];
    return rows.map((row) => row.anchor);
  }

  /** Marks a run ended with the service's final verdict and drops its manifest. */
  finishRun(runId: number, state: string, removed: number, held: number): void {
    this.db.transaction(() => {
      const run = this.requireRun(runId);
      const result: RunResult = { ...(run.result ?? emptyResult()), state, removed, held };
      this.db
        .prepare("UPDATE runs SET status = 'ended', ended_at = ?, result = ? WHERE id = ?")
        .run(this.now(), JSON.stringify(result), runId);
      this.db.prepare('DELETE FROM manifest WHERE run_id = ?').run(runId);
    })();
  }

  /**
   * Drops every queued directory message and the whole diff base. Used when another agent held
   * the lease since this one last did: what it sent is unknown here, so the next full read must
   * send every object again, and stale queued states must not overwrite newer ones.
   */
  resetDirectoryState(): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM outbox WHERE run_id IS NOT NULL').run();
      this.db.prepare('DELETE FROM manifest').run();
      this.db
        .prepare(
          "UPDATE runs SET status = 'ended', ended_at = ?, result = ? WHERE status != 'ended'",
        )
        .run(this.now(), JSON.stringify({ ...emptyResult(), state: 'discarded' }));
      this.db.prepare('DELETE FROM sent_state').run();
      this.db.prepare('DELETE FROM meta WHERE key = ?').run(watermarkKey);
    })();
  }

  /** Messages waiting, per kind. */
  queueDepth(): Record<OutboxKind, number> {
    const rows = this.db.prepare('SELECT kind, COUNT(*) AS n FROM outbox GROUP BY kind').all() as {
      kind: OutboxKind;
      n: number;
    }[];
    const depth: Record<OutboxKind, number> = { upsert: 0, removal: 0, password: 0 };
    for (const row of rows) depth[row.kind] = row.n;
    return depth;
  }

  /** The oldest password deliveries waiting, at most `limit`. */
  pendingPasswords(limit: number): StoredMessage[] {
    const rows = this.db
      .prepare("SELECT * FROM outbox WHERE kind = 'password' ORDER BY seq LIMIT ?")
      .all(limit) as MessageRow[];
    return rows.map(toStoredMessage);
  }

  /** Removes confirmed messages outside the run protocol (password deliveries). */
  acknowledge(seqs: readonly number[]): void {
    const remove = this.db.prepare('DELETE FROM outbox WHERE seq = ? AND run_id IS NULL');
    this.db.transaction(() => {
      for (const seq of seqs) remove.run(seq);
    })();
  }

  /** The last state sent for an anchor, or undefined. */
  sentRecord(anchor: string): DirectoryUserRecord | undefined {
    const row = this.db.prepare('SELECT record FROM sent_state WHERE anchor = ?').get(anchor) as
      { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as DirectoryUserRecord);
  }

  /** Every anchor of the last-sent set. */
  sentAnchors(): string[] {
    const rows = this.db.prepare('SELECT anchor FROM sent_state ORDER BY anchor').all() as {
      anchor: string;
    }[];
    return rows.map((row) => row.anchor);
  }

  private queueIfChanged(runId: number, record: DirectoryUserRecord): boolean {
    const digest = digestRecord(record);
    const current = this.db
      .prepare('SELECT digest FROM sent_state WHERE anchor = ?')
      .get(record.anchor) as { digest: string } | undefined;
    if (current?.digest === digest) return false;
    const json = canonicalRecordJson(record);
    this.db
      .prepare(
        'INSERT INTO sent_state (anchor, digest, record, updated_at) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (anchor) DO UPDATE SET digest = excluded.digest, record = excluded.record, updated_at = excluded.updated_at',
      )
      .run(record.anchor, digest, json, this.now());
    this.insertMessage(runId, 'upsert', record.anchor, json);
    return true;
  }

  private insertMessage(
    runId: number | null,
    kind: OutboxKind,
    anchor: string,
    payload: string,
  ): number {
    const result = this.db
      .prepare(
        'INSERT INTO outbox (run_id, kind, anchor, payload, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(runId, kind, anchor, payload, this.now());
    return Number(result.lastInsertRowid);
  }

  private requireRun(runId: number): LocalRun {
    const run = this.getRun(runId);
    if (run === undefined)
      throw new Error(`Local run ${runId} does not exist in the state database.`);
    return run;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
