import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';

export interface ProgressOptions {
  clock: Clock;
  log: Logger;
  /** Terminal to draw the bar on; when undefined, progress goes to the log. */
  tty?: NodeJS.WriteStream;
  /** Milliseconds between two progress log lines when there is no terminal. */
  logIntervalMs: number;
}

/**
 * Progress of a full read: objects read and sent, rate and time left. On a terminal it redraws
 * one line on standard error with \r; otherwise it writes one log line every few seconds.
 */
export class ProgressReporter {
  private read = 0;
  private sent = 0;
  private startedMs = 0;
  private lastReportMs = 0;
  private total: number | undefined;
  private active = false;

  constructor(private readonly options: ProgressOptions) {}

  /** Starts a read; `expected` is the object count of the last full read, when known. */
  start(expected: number | undefined): void {
    this.read = 0;
    this.sent = 0;
    this.total = expected === undefined || expected === 0 ? undefined : expected;
    this.startedMs = this.options.clock.now().getTime();
    this.lastReportMs = this.startedMs;
    this.active = true;
  }

  addRead(count: number): void {
    this.read += count;
    if (this.total !== undefined && this.read > this.total) this.total = this.read;
    this.report(false);
  }

  addSent(count: number): void {
    this.sent += count;
    this.report(false);
  }

  /** Ends the read's progress; the bar's line is finished with a line break. */
  finish(): void {
    if (!this.active) return;
    this.report(true);
    this.active = false;
    if (this.options.tty !== undefined) this.options.tty.write('\n');
  }

  private report(force: boolean): void {
    if (!this.active) return;
    const now = this.options.clock.now().getTime();
    const elapsedMs = Math.max(now - this.startedMs, 1);
    const rate = (this.read * 1000) / elapsedMs;
    const left =
      this.total === undefined || rate === 0
        ? undefined
        : Math.max(this.total - this.read, 0) / rate;
    if (this.options.tty !== undefined) {
      this.options.tty.write(`\r${this.formatBar(rate, left)}`);
      return;
    }
    if (!force && now - this.lastReportMs < this.options.logIntervalMs) return;
    this.lastReportMs = now;
    this.options.log.info(
      {
        read: this.read,
        sent: this.sent,
        ...(this.total === undefined ? {} : { expected: this.total }),
        rate_per_second: Math.round(rate),
        ...(left === undefined ? {} : { seconds_left: Math.round(left) }),
      },
      'full read progress',
    );
  }

  private formatBar(rate: number, left: number | undefined): string {
    const width = 24;
    const fraction = this.total === undefined ? 0 : Math.min(this.read / this.total, 1);
    const filled = Math.round(fraction * width);
    const bar =
      this.total === undefined ? '' : `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
    const of = this.total === undefined ? '' : `/${this.total}`;
    const eta = left === undefined ? '' : `, ${formatSeconds(left)} left`;
    return `${bar}read ${this.read}${of}, sent ${this.sent}, ${Math.round(rate)}/s${eta}   `;
  }
}

function formatSeconds(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  return `${Math.floor(whole / 60)} min ${whole % 60} s`;
}
