import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import type { DirectoryChange } from '../directory/delta-read.ts';
import { decodeWatermark, encodeWatermark } from '../directory/watermark.ts';
import type { LeaseState } from '../protocol/lease.ts';
import { isUserPilotError, UserPilotError } from '../protocol/errors.ts';
import type { AgentConfig } from './config-schema.ts';
import {
  agentFacts,
  ensureSignedIn,
  forgetIdentity,
  type AgentIdentity,
} from './agent-identity.ts';
import type { DirectorySource } from './directory-source.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { Outbox, watermarkKey } from './outbox.ts';
import type { DeltaChange } from './outbox-types.ts';
import type { ProgressReporter } from './progress.ts';
import type { ServiceClient } from './service-client.ts';
import { readMeta, writeMeta, type StateDatabase } from './state-db.ts';
import { Uploader, type UploadOutcome } from './uploader.ts';
import { Backoff, Waker } from './waker.ts';

export interface SyncEngineParts {
  config: AgentConfig;
  installPassword: string;
  db: StateDatabase;
  client: ServiceClient;
  directory: DirectorySource;
  log: Logger;
  clock: Clock;
  progress: ProgressReporter;
}

/** Meta keys that `userpilot status` reads. */
export const statusKeys = {
  lastError: 'last_error',
  leaseStatus: 'lease_status',
  lastFullRead: 'last_full_read_at',
} as const;

/**
 * The agent service: sign in, heartbeat, take the lease when it is free (stand by otherwise),
 * read the whole scope, then read deltas whenever the USN poll moves and the whole scope again
 * at each reconcile interval. Three loops share the state database: the reader (directory to
 * outbox), the uploader (outbox to service) and the heartbeat (which also renews the lease).
 */
export class SyncEngine {
  readonly outbox: Outbox;
  private identity: AgentIdentity | undefined;
  private lease: LeaseKeeper | undefined;
  private uploader: Uploader | undefined;
  private observedLease: LeaseState | null | undefined;
  private running = false;
  private usnMoved = false;
  private fullReadRequired = false;
  private readonly readerWake = new Waker();
  private readonly uploadWake = new Waker();
  private readonly heartbeatWake = new Waker();

  constructor(private readonly parts: SyncEngineParts) {
    this.outbox = new Outbox(parts.db, parts.clock);
  }

  /** Runs until `signal` aborts; then releases the lease and returns. */
  async run(signal: AbortSignal): Promise<void> {
    this.running = true;
    signal.addEventListener('abort', () => this.stop(), { once: true });
    const recovered = this.outbox.recoverInterruptedReads();
    if (recovered > 0)
      this.parts.log.warn(
        { count: recovered },
        'a full read was interrupted; it is resent as a delta and read again',
      );
    await this.signIn();
    this.parts.directory.startPolling(() => {
      this.usnMoved = true;
      this.readerWake.wake();
    });
    await Promise.all([this.readerLoop(), this.uploadLoop(), this.heartbeatLoop()]);
    await this.lease
      ?.release()
      .catch((error: unknown) => this.parts.log.warn({ err: error }, 'lease release failed'));
  }

  stop(): void {
    this.running = false;
    this.readerWake.wake();
    this.uploadWake.wake();
    this.heartbeatWake.wake();
  }

  /**
   * One run for `userpilot agent sync --once`: takes the lease, reads (a delta when a watermark
   * exists, unless `full`), sends everything queued, and releases the lease.
   */
  async runOnce(full: boolean): Promise<UploadOutcome> {
    this.running = true;
    this.outbox.recoverInterruptedReads();
    await this.signIn();
    await this.heartbeatOnce();
    const granted = await this.takeLease();
    if (!granted) {
      const holder = this.observedLease?.holderAgentId ?? 'another agent';
      throw new UserPilotError(
        'UP_AGENT_LEASE_HELD',
        `The directory lease is held by agent ${holder}, so this agent cannot run a sync.`,
        {
          hint: 'Run the sync on the agent that holds the lease, or stop it and wait for its lease to expire.',
          details: { holder },
        },
      );
    }
    if (full || readMeta(this.parts.db, watermarkKey) === undefined) await this.readFull();
    else await this.readDelta();
    if (this.fullReadRequired) await this.readFull();
    const outcome = await this.requireUploader().uploadPending(this.lease?.epoch ?? 0);
    await this.lease?.release();
    this.running = false;
    return outcome;
  }

  /** The lease holder the service reported last, for standby messages. */
  get leaseHolder(): LeaseState | null | undefined {
    return this.observedLease;
  }

  private async signIn(): Promise<void> {
    const { client, db, config, installPassword, log, directory } = this.parts;
    this.identity = await ensureSignedIn(
      client,
      db,
      { userName: config.service.installUser, password: installPassword },
      agentFacts(directory.dcHost),
      log,
    );
    this.lease = new LeaseKeeper(client, db, this.identity.agentId, log);
    this.uploader = new Uploader(this.outbox, client, log, config.sync.batchSize, (records) =>
      this.parts.progress.addSent(records),
    );
  }

  private async readerLoop(): Promise<void> {
    const backoff = new Backoff(1000, this.parts.config.sync.retryMaxSeconds * 1000);
    while (this.running) {
      try {
        if (this.lease?.epoch === undefined) {
          if (!(await this.takeLease())) {
            await this.readerWake.wait(this.heartbeatMs());
            continue;
          }
        }
        await this.readOnce();
        backoff.reset();
        await this.readerWake.wait(this.untilReconcileMs());
      } catch (error) {
        this.recordError(error, 'directory read failed');
        await this.readerWake.wait(backoff.next());
      }
    }
  }

  private async readOnce(): Promise<void> {
    const hasWatermark = readMeta(this.parts.db, watermarkKey) !== undefined;
    if (!hasWatermark || this.fullReadRequired || this.untilReconcileMs() === 0) {
      await this.readFull();
    } else if (this.usnMoved) {
      this.usnMoved = false;
      await this.readDelta();
      if (this.fullReadRequired) await this.readFull();
    }
  }

  private async takeLease(): Promise<boolean> {
    if (this.lease === undefined) return false;
    const outcome = await this.lease.acquire(this.observedLease);
    if (outcome.kind === 'standby') {
      this.writeLeaseStatus(false, outcome.holder);
      return false;
    }
    if (!outcome.continuous) {
      // Another agent may have held the lease since this one did, so what the service holds is
      // unknown here: start from an empty diff base, which sends every object once.
      this.outbox.resetDirectoryState();
      this.parts.log.info(
        { epoch: outcome.epoch },
        'lease taken over; the whole scope is read and sent again',
      );
    }
    this.fullReadRequired = readMeta(this.parts.db, watermarkKey) === undefined;
    this.writeLeaseStatus(true, this.observedLease ?? null);
    this.uploadWake.wake();
    return true;
  }

  /** Reads the whole scope into the outbox page by page while the uploader sends. */
  private async readFull(): Promise<void> {
    const { directory, progress, log, clock, db } = this.parts;
    this.fullReadRequired = false;
    const previous = this.outbox.lastEndedRun();
    progress.start(
      previous?.kind === 'full'
        ? previous.manifestCount || undefined
        : this.outbox.sentAnchors().length,
    );
    const runId = this.outbox.beginFullRun();
    let complete = false;
    let watermark: string | undefined;
    let failures = 0;
    try {
      const read = await directory.readScope();
      watermark = encodeWatermark(read.watermark);
      for (;;) {
        const next = await read.pages.next();
        if (next.done === true) break;
        failures += next.value.failures.length;
        this.outbox.addFullReadPage(
          runId,
          next.value.records.map((item) => item.record),
        );
        progress.addRead(next.value.records.length);
        this.uploadWake.wake();
      }
      // An entry that cannot be decoded is missing from the manifest, so the read must not
      // imply removals: the service would remove that object.
      complete = failures === 0;
    } catch (error) {
      this.recordError(error, 'full read failed; it ends incomplete and removes nothing');
    } finally {
      const left = this.outbox.endFullRead(runId, complete, complete ? watermark : undefined);
      progress.finish();
      if (complete) writeMeta(db, statusKeys.lastFullRead, clock.now().toISOString());
      else this.fullReadRequired = true;
      log.info(
        { count: this.outbox.getRun(runId)?.recordsRead, left: left.length, complete, failures },
        'full read finished',
      );
      this.uploadWake.wake();
    }
  }

  private async readDelta(): Promise<void> {
    const stored = readMeta<string>(this.parts.db, watermarkKey);
    if (stored === undefined) return;
    const delta = await this.parts.directory.readChanges(decodeWatermark(stored));
    if (delta.kind === 'fullReadRequired') {
      this.fullReadRequired = true;
      return;
    }
    const changes: DeltaChange[] = [];
    for (;;) {
      const next = await delta.changes.next();
      if (next.done === true) break;
      for (const change of next.value) {
        const mapped = this.toDeltaChange(change);
        if (mapped !== undefined) changes.push(mapped);
      }
    }
    const runId = this.outbox.enqueueDelta(changes, encodeWatermark(delta.watermark));
    this.parts.log.info({ count: changes.length, queued: runId !== null }, 'delta read finished');
    this.uploadWake.wake();
  }

  private toDeltaChange(change: DirectoryChange): DeltaChange | undefined {
    if (change.kind === 'changed') return { kind: 'upsert', record: change.record };
    if (change.kind === 'undecodable') return undefined;
    // Only objects the service was sent can leave: others were never in the scope for it.
    if (this.outbox.sentRecord(change.anchor) === undefined) return undefined;
    return {
      kind: 'removal',
      anchor: change.anchor,
      reason: change.kind === 'deleted' ? 'deleted' : 'moved-out',
    };
  }

  private async uploadLoop(): Promise<void> {
    const backoff = new Backoff(1000, this.parts.config.sync.retryMaxSeconds * 1000);
    while (this.running) {
      const epoch = this.lease?.epoch;
      if (epoch === undefined) {
        await this.uploadWake.wait(this.heartbeatMs());
        continue;
      }
      try {
        const outcome = await this.requireUploader().uploadPending(epoch);
        if (backoff.failures > 0)
          this.parts.log.info({ count: backoff.failures }, 'the service is reachable again');
        backoff.reset();
        if (outcome.kind === 'lease-lost') {
          this.lease?.drop();
          this.readerWake.wake();
        }
        await this.uploadWake.wait(this.heartbeatMs());
      } catch (error) {
        await this.handleUploadError(error);
        await this.uploadWake.wait(backoff.next());
      }
    }
  }

  private async handleUploadError(error: unknown): Promise<void> {
    if (isUserPilotError(error, 'UP_AGENT_CREDENTIAL_REVOKED')) {
      forgetIdentity(this.parts.db);
      this.recordError(error, 'signing in again');
      await this.signIn().catch((failure: unknown) => this.recordError(failure, 'sign-in failed'));
      return;
    }
    this.recordError(error, 'upload failed; retrying');
  }

  private async heartbeatLoop(): Promise<void> {
    while (this.running) {
      try {
        await this.heartbeatOnce();
        if (this.lease?.epoch !== undefined && !(await this.lease.renew())) {
          this.writeLeaseStatus(false, this.observedLease ?? null);
          this.readerWake.wake();
        }
      } catch (error) {
        this.recordError(error, 'heartbeat failed');
      }
      await this.heartbeatWake.wait(this.heartbeatMs());
    }
  }

  private async heartbeatOnce(): Promise<void> {
    const answer = await this.parts.client.heartbeat(agentFacts(this.parts.directory.dcHost));
    if (answer.ok) this.observedLease = answer.value.lease;
  }

  /** Renewal interval: the configured heartbeat, but at most a third of the lease's TTL. */
  private heartbeatMs(): number {
    const configured = this.parts.config.sync.heartbeatSeconds * 1000;
    const ttl = this.lease?.ttlSeconds;
    return ttl === undefined ? configured : Math.min(configured, (ttl * 1000) / 3);
  }

  private untilReconcileMs(): number {
    const last = readMeta<string>(this.parts.db, statusKeys.lastFullRead);
    if (last === undefined) return 0;
    const due = Date.parse(last) + this.parts.config.sync.fullReconcileHours * 3_600_000;
    return Math.max(due - this.parts.clock.now().getTime(), 0);
  }

  private writeLeaseStatus(held: boolean, holder: LeaseState | null): void {
    writeMeta(this.parts.db, statusKeys.leaseStatus, {
      held,
      epoch: this.lease?.epoch ?? null,
      holder,
      checkedAt: this.parts.clock.now().toISOString(),
    });
  }

  private recordError(error: unknown, context: string): void {
    const code = isUserPilotError(error) ? error.code : undefined;
    const message = isUserPilotError(error)
      ? error.toLine()
      : error instanceof Error
        ? error.message
        : String(error);
    writeMeta(this.parts.db, statusKeys.lastError, {
      code,
      message,
      context,
      at: this.parts.clock.now().toISOString(),
    });
    this.parts.log[levelOf(code)](
      { code, agent_id: this.identity?.agentId },
      `${context}: ${message}`,
    );
  }

  private requireUploader(): Uploader {
    if (this.uploader === undefined) throw new Error('The agent has not signed in yet.');
    return this.uploader;
  }
}

/**
 * Errors that stop synchronization until an admin acts are critical, so they also reach the
 * system log; an unreachable service or DC is retried and only warned about.
 */
const criticalCodes = new Set<string>([
  'UP_AGENT_SERVICE_ERROR',
  'UP_AGENT_PASSWORD_INCORRECT',
  'UP_AGENT_CLOCK_SKEW',
]);

function levelOf(code: string | undefined): 'fatal' | 'error' | 'warn' {
  if (code === undefined) return 'error';
  return criticalCodes.has(code) ? 'fatal' : 'warn';
}
