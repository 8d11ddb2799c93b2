import type { ObjectResult } from '../protocol/batch.ts';
import type { DirectoryUserRecord } from '../protocol/records.ts';
import type { RunKind } from '../protocol/runs.ts';
import type { LocalRun, OutboxKind, RunResult, StoredMessage } from './outbox-types.ts';

// Row shapes of the state database and their conversion to the outbox's types.

export interface RunRow {
  id: number;
  kind: RunKind;
  status: LocalRun['status'];
  read_complete: number;
  remote_run_id: string | null;
  epoch: number | null;
  batches_sent: number;
  records_sent: number;
  removals_sent: number;
  manifest_count: number;
  manifest_sent: number;
  records_read: number;
  changes_queued: number;
  started_at: string;
  read_ended_at: string | null;
  ended_at: string | null;
  result: string | null;
}

export interface MessageRow {
  seq: number;
  run_id: number | null;
  kind: OutboxKind;
  anchor: string;
  payload: string;
  batch: number | null;
}

export function toLocalRun(row: RunRow): LocalRun {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    readComplete: row.read_complete === 1,
    remoteRunId: row.remote_run_id,
    epoch: row.epoch,
    batchesSent: row.batches_sent,
    recordsSent: row.records_sent,
    removalsSent: row.removals_sent,
    manifestCount: row.manifest_count,
    manifestSent: row.manifest_sent,
    recordsRead: row.records_read,
    changesQueued: row.changes_queued,
    startedAt: row.started_at,
    readEndedAt: row.read_ended_at,
    endedAt: row.ended_at,
    result: row.result === null ? null : (JSON.parse(row.result) as RunResult),
  };
}

export function toStoredMessage(row: MessageRow): StoredMessage {
  const base = { seq: row.seq, runId: row.run_id, batch: row.batch, anchor: row.anchor };
  if (row.kind === 'upsert')
    return { ...base, kind: 'upsert', record: JSON.parse(row.payload) as DirectoryUserRecord };
  if (row.kind === 'removal') {
    const { reason } = JSON.parse(row.payload) as { reason: 'deleted' | 'moved-out' };
    return { ...base, kind: 'removal', reason };
  }
  return { ...base, kind: 'password', sealed: row.payload };
}

export function emptyResult(): RunResult {
  return {
    state: 'open',
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    removed: 0,
    held: 0,
    rejections: [],
  };
}

const maxKeptRejections = 20;

export function mergeResults(
  previous: RunResult | null,
  results: readonly ObjectResult[],
): RunResult {
  const merged = previous ?? emptyResult();
  for (const result of results) {
    if (result.status === 'created') merged.created += 1;
    else if (result.status === 'updated') merged.updated += 1;
    else if (result.status === 'unchanged') merged.unchanged += 1;
    else if (result.status === 'removed') merged.removed += 1;
    else if (result.status === 'held') merged.held += 1;
    else if (result.status === 'rejected') {
      merged.rejected += 1;
      if (merged.rejections.length < maxKeptRejections) {
        merged.rejections.push({
          anchor: result.anchor,
          ...(result.code === undefined ? {} : { code: result.code }),
          ...(result.attribute === undefined ? {} : { attribute: result.attribute }),
          ...(result.message === undefined ? {} : { message: result.message }),
        });
      }
    }
  }
  return merged;
}
