import type { Logger } from '../../core/log.ts';
import { isUserPilotError } from '../../protocol/errors.ts';
import type { CaptureSummary } from './password-capture.ts';
import type { SendSummary } from './password-sender.ts';

export interface PasswordSyncOptions {
  capture: { poll(): Promise<CaptureSummary> };
  sender: { sendPending(): Promise<SendSummary> };
  /** Interval between two capture polls, in milliseconds. */
  pollMs: number;
  /** Maximum wait between attempts while the DC socket or the service fails, in milliseconds. */
  retryMaxMs: number;
  logger: Logger;
}

/**
 * Runs password capture and delivery: each round polls the DC, then sends what is queued.
 * Capture goes on while the service is down, so changes made meanwhile wait in the outbox
 * (sealed) and are sent once it is back. Failures are logged once per streak and retried with
 * a doubling wait.
 */
export class PasswordSync {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private readonly log: Logger;
  private captureFailures = 0;
  private sendFailures = 0;

  constructor(private readonly options: PasswordSyncOptions) {
    this.log = options.logger.child({ component: 'password-sync' });
  }

  start(): void {
    if (this.running !== undefined) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops after the current round; a capture or delivery in progress finishes first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.running;
    this.running = undefined;
  }

  /** Runs one round: a capture poll, then a delivery attempt. Returns the wait before the next. */
  async round(): Promise<number> {
    const captureWait = await this.attempt('capture', () => this.options.capture.poll());
    const sendWait = await this.attempt('send', () => this.options.sender.sendPending());
    return Math.max(captureWait, sendWait);
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const wait = await this.round();
      if (!this.stopping) await this.sleep(wait);
    }
  }

  /** Runs one step; returns the poll interval, or a backoff wait after a failure. */
  private async attempt(step: 'capture' | 'send', work: () => Promise<unknown>): Promise<number> {
    const failures = step === 'capture' ? this.captureFailures : this.sendFailures;
    try {
      await work();
      if (failures > 0) this.log.info({ step, count: failures }, `password ${step} recovered`);
      this.setFailures(step, 0);
      return this.options.pollMs;
    } catch (error) {
      if (failures === 0) {
        const code = isUserPilotError(error) ? error.code : undefined;
        this.log.error({ step, code, err: error }, `password ${step} failed; retrying`);
      }
      this.setFailures(step, failures + 1);
      return Math.min(
        this.options.retryMaxMs,
        this.options.pollMs * 2 ** Math.min(failures + 1, 16),
      );
    }
  }

  private setFailures(step: 'capture' | 'send', value: number): void {
    if (step === 'capture') this.captureFailures = value;
    else this.sendFailures = value;
  }

  private sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, milliseconds);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
