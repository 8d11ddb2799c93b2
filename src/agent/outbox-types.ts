import type { DirectoryUserRecord } from '../protocol/records.ts';
import type { RunKind } from '../protocol/runs.ts';

/**
 * A message waiting in the outbox. Directory messages (`upsert`, `removal`) belong to a run;
 * `password` messages are delivered outside the run protocol and carry a payload sealed by the
 * password capture before it reaches the outbox, so no clear text is ever stored.
 */
export type OutboxMessage =
  | { kind: 'upsert'; anchor: string; record: DirectoryUserRecord }
  | { kind: 'removal'; anchor: string; reason: RemovalReason }
  | { kind: 'password'; anchor: string; sealed: string };

export type OutboxKind = OutboxMessage['kind'];

/** Why an object is reported as leaving the scope. */
export type RemovalReason = 'deleted' | 'moved-out';

/** A stored outbox message with its position and the batch it was assigned to. */
export type StoredMessage = OutboxMessage & {
  seq: number;
  runId: number | null;
  batch: number | null;
};

/** A local run as the state database holds it. */
export interface LocalRun {
  id: number;
  kind: RunKind;
  status: 'reading' | 'queued' | 'ended';
  readComplete: boolean;
  remoteRunId: string | null;
  epoch: number | null;
  batchesSent: number;
  recordsSent: number;
  removalsSent: number;
  manifestCount: number;
  manifestSent: number;
  recordsRead: number;
  changesQueued: number;
  startedAt: string;
  readEndedAt: string | null;
  endedAt: string | null;
  result: RunResult | null;
}

/** The service's verdict on a run, kept for `userpilot status`. */
export interface RunResult {
  state: string;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  removed: number;
  held: number;
  /** Rejections the service named, first ones only. */
  rejections: { anchor: string; code?: string; attribute?: string; message?: string }[];
}

/** A change a delta read reported: a whole record, or an object that left the scope. */
export type DeltaChange =
  | { kind: 'upsert'; record: DirectoryUserRecord }
  | { kind: 'removal'; anchor: string; reason: RemovalReason };
