import type { Logger } from '../core/log.ts';
import type { UserPilotError } from '../protocol/errors.ts';
import type { DirectoryConnection } from './connection.ts';
import { readHighestCommittedUsn } from './root-dse.ts';

export interface UsnPollerOptions {
  /** Milliseconds between two reads of the rootDSE; default 5,000. */
  intervalMs?: number;
  /** Called with the new highestCommittedUSN whenever it differs from the last one read. */
  onChange: (usn: string, previous: string) => void;
  /** Called when a poll fails; polling goes on at the next interval. */
  onError?: (error: UserPilotError | Error) => void;
}

/**
 * Polls the rootDSE's highestCommittedUSN, a cheap read, and reports when it moves: any write
 * on the DC raises it, so a change is the agent's signal to read a delta. The first poll only sets
 * the starting value.
 */
export class UsnPoller {
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private running = false;
  /** Polls failed in a row; only the first of a run of failures is logged as a warning. */
  private failures = 0;
  private readonly log: Logger;

  constructor(
    private readonly connection: DirectoryConnection,
    private readonly options: UsnPollerOptions,
  ) {
    this.log = connection.logger.child({ component: 'directory-poller' });
  }

  /** The last USN read, or undefined before the first poll. */
  get lastUsn(): string | undefined {
    return this.last;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delay: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.pollOnce()
        .catch((error: unknown) => this.reportError(error))
        .finally(() => this.schedule(this.options.intervalMs ?? 5000));
    }, delay);
  }

  /** Reads the USN once and reports a change; exposed so tests need not wait for a timer. */
  async pollOnce(): Promise<void> {
    const usn = await readHighestCommittedUsn(this.connection);
    if (this.failures > 0) {
      this.log.info({ count: this.failures }, 'USN poll works again after failures');
      this.failures = 0;
    }
    const previous = this.last;
    this.last = usn;
    if (previous !== undefined && previous !== usn) this.options.onChange(usn, previous);
  }

  private reportError(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.log.warn(
      { code: (failure as Partial<UserPilotError>).code },
      `USN poll failed: ${failure.message}`,
    );
    this.options.onError?.(failure);
  }
}
