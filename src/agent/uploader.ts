import type { Logger } from '../core/log.ts';
import { maxManifestAnchors } from '../protocol/agent-api.ts';
import type { BatchRequest } from '../protocol/batch.ts';
import { UserPilotError } from '../protocol/errors.ts';
import type { Outbox } from './outbox.ts';
import type { LocalRun, StoredMessage } from './outbox-types.ts';
import { serviceError, type ApiRejection, type ServiceClient } from './service-client.ts';

/** Where an upload pass stopped. */
export type UploadOutcome =
  /** Every queued run was sent and ended. */
  | { kind: 'drained' }
  /** The run being read has no more messages yet; call again when it grows. */
  | { kind: 'waiting'; runId: number }
  /** The service reports that this agent does not hold the lease (or holds an older epoch). */
  | { kind: 'lease-lost'; code: string };

/** Called after each confirmed batch, with the number of records it carried. */
export type SentListener = (records: number) => void;

const leaseCodes = new Set(['UP_AGENT_API_LEASE_NOT_HELD', 'UP_AGENT_API_STALE_EPOCH']);
const lostRunCodes = new Set(['UP_AGENT_API_RUN_NOT_FOUND', 'UP_AGENT_API_RUN_ENDED']);

/**
 * Sends the outbox's runs to the service in order: start, batches, the manifest of a full run
 * whose read is complete, end. A message leaves the outbox only after the service responded to
 * its batch. Failures to reach the service are thrown (UP_AGENT_SERVICE_UNREACHABLE) and the
 * caller retries with backoff; nothing is lost meanwhile.
 */
export class Uploader {
  constructor(
    private readonly outbox: Outbox,
    private readonly client: ServiceClient,
    private readonly log: Logger,
    private readonly batchSize: number,
    private readonly onSent: SentListener = () => undefined,
  ) {}

  async uploadPending(epoch: number): Promise<UploadOutcome> {
    for (;;) {
      const run = this.outbox.nextRunToSend();
      if (run === undefined) return { kind: 'drained' };
      const outcome = await this.uploadRun(run, epoch);
      if (outcome !== undefined) return outcome;
    }
  }

  /** Sends one run; returns an outcome when the pass must stop, undefined once the run ended. */
  private async uploadRun(initial: LocalRun, epoch: number): Promise<UploadOutcome | undefined> {
    let run = initial;
    if (run.remoteRunId === null || run.epoch !== epoch) {
      const started = await this.client.startRun(run.kind, epoch);
      if (!started.ok) return this.rejected(started);
      this.outbox.attachRemoteRun(run.id, started.value.runId, epoch);
      this.log.info({ run_id: started.value.runId, kind: run.kind }, 'run started on the service');
      run = this.reload(run.id);
    }

    for (;;) {
      const sequence = run.batchesSent + 1;
      const messages = this.outbox.assignBatch(run.id, sequence, this.batchSize);
      if (messages.length === 0) break;
      const outcome = await this.sendBatch(
        run,
        sequence,
        batchOf(messages, epoch, sequence),
        messages,
      );
      if (outcome === 'restart') return this.uploadRun(this.reload(run.id), epoch);
      if (outcome !== undefined) return outcome;
      run = this.reload(run.id);
    }

    if (run.status === 'reading') return { kind: 'waiting', runId: run.id };
    if (run.kind === 'full' && run.readComplete) {
      const outcome = await this.sendManifest(run, epoch);
      if (outcome === 'restart') return this.uploadRun(this.reload(run.id), epoch);
      if (outcome !== undefined) return outcome;
    }
    return this.endRun(this.reload(run.id), epoch);
  }

  private async sendBatch(
    run: LocalRun,
    sequence: number,
    batch: BatchRequest,
    messages: StoredMessage[],
    manifestSent?: number,
  ): Promise<UploadOutcome | 'restart' | undefined> {
    const remoteRunId = run.remoteRunId ?? '';
    const answer = await this.client.sendBatch(remoteRunId, batch);
    if (!answer.ok) {
      if (lostRunCodes.has(answer.code)) return this.forgetRemoteRun(run, answer);
      return this.rejected(answer);
    }
    this.outbox.confirmBatch(run.id, sequence, answer.value.results, manifestSent);
    for (const result of answer.value.results) {
      if (result.status !== 'rejected') continue;
      this.log.warn(
        {
          run_id: remoteRunId,
          anchor: result.anchor,
          attribute: result.attribute,
          code: result.code,
        },
        `the service rejected an object: ${result.message ?? 'no reason given'}`,
      );
    }
    const records = messages.filter((message) => message.kind === 'upsert').length;
    this.log.debug({ run_id: remoteRunId, count: messages.length, sequence }, 'batch confirmed');
    if (records > 0) this.onSent(records);
    return undefined;
  }

  private async sendManifest(
    run: LocalRun,
    epoch: number,
  ): Promise<UploadOutcome | 'restart' | undefined> {
    let current = run;
    while (current.manifestSent < current.manifestCount) {
      const anchors = this.outbox.readManifest(
        current.id,
        current.manifestSent,
        maxManifestAnchors,
      );
      const sequence = current.batchesSent + 1;
      const batch: BatchRequest = { epoch, sequence, records: [], removals: [], manifest: anchors };
      const outcome = await this.sendBatch(
        current,
        sequence,
        batch,
        [],
        current.manifestSent + anchors.length,
      );
      if (outcome !== undefined) return outcome;
      current = this.reload(current.id);
    }
    return undefined;
  }

  private async endRun(run: LocalRun, epoch: number): Promise<UploadOutcome | undefined> {
    const complete = run.kind === 'full' ? run.readComplete : true;
    const answer = await this.client.endRun(run.remoteRunId ?? '', {
      epoch,
      complete,
      counts: {
        batches: run.batchesSent,
        records: run.recordsSent,
        removals: run.removalsSent,
        manifest: run.manifestSent,
      },
    });
    if (!answer.ok) {
      if (answer.code === 'UP_AGENT_API_RUN_ENDED') {
        // A crash lost the response to an end the service already applied.
        this.outbox.finishRun(run.id, complete ? 'complete' : 'incomplete', 0, 0);
        return undefined;
      }
      if (answer.code === 'UP_AGENT_API_RUN_NOT_FOUND') {
        return (await this.forgetRemoteRun(run, answer)) === 'restart'
          ? this.uploadRun(this.reload(run.id), epoch)
          : undefined;
      }
      return this.rejected(answer);
    }
    const { run: state, removed, held } = answer.value;
    this.outbox.finishRun(run.id, state.state, removed, held);
    this.log.info(
      {
        run_id: state.runId,
        kind: run.kind,
        complete,
        count: run.recordsSent,
        removed,
        held,
        summary: state.summary,
      },
      'run ended on the service',
    );
    return undefined;
  }

  // The service lost the run (or ended it): the messages not confirmed yet go into a new run.
  private forgetRemoteRun(run: LocalRun, answer: ApiRejection): Promise<'restart'> {
    this.log.warn(
      { run_id: run.remoteRunId, code: answer.code },
      'the service no longer has the run; starting a new one',
    );
    this.outbox.attachRemoteRun(run.id, '', -1);
    return Promise.resolve('restart');
  }

  private rejected(answer: ApiRejection): UploadOutcome {
    if (leaseCodes.has(answer.code)) return { kind: 'lease-lost', code: answer.code };
    if (answer.code === 'UP_AGENT_API_UNAUTHORIZED') {
      throw new UserPilotError(
        'UP_AGENT_CREDENTIAL_REVOKED',
        `The service at ${this.client.url} no longer accepts this agent's credential.`,
        {
          hint: 'The agent signs in again with the install credentials.',
          details: { service_code: answer.code },
        },
      );
    }
    throw serviceError(this.client.url, answer);
  }

  private reload(runId: number): LocalRun {
    const run = this.outbox.getRun(runId);
    if (run === undefined) throw new Error(`Local run ${runId} vanished from the state database.`);
    return run;
  }
}

function batchOf(messages: StoredMessage[], epoch: number, sequence: number): BatchRequest {
  const batch: BatchRequest = { epoch, sequence, records: [], removals: [] };
  for (const message of messages) {
    if (message.kind === 'upsert') batch.records.push(message.record);
    else if (message.kind === 'removal') batch.removals.push(message.anchor);
  }
  return batch;
}
