import type { Clock } from '../../core/clock.ts';
import type { FailureCount } from './throttle.ts';

/** Where failed sign-ins are counted, per key (an account or a client address). */
export interface SignInThrottleStore {
  get(key: string): Promise<FailureCount | undefined>;
  /** Adds one failure now; restarts the count at 1 when the last failure is older than forgetAfterMs. */
  recordFailure(key: string, forgetAfterMs: number): Promise<FailureCount>;
  clear(key: string): Promise<void>;
}

/**
 * Counts failures in this process's memory.
 * NOTE: with several service instances behind a load balancer each instance counts on its own,
 * so an attacker spread over N instances gets N times the attempts. The store has no table for
 * sign-in failures yet; once it has, a store-backed SignInThrottleStore replaces this one.
 */
export class MemoryThrottleStore implements SignInThrottleStore {
  private readonly counts = new Map<string, FailureCount>();

  constructor(private readonly clock: Clock) {}

  get(key: string): Promise<FailureCount | undefined> {
    return Promise.resolve(this.counts.get(key));
  }

  recordFailure(key: string, forgetAfterMs: number): Promise<FailureCount> {
    const now = this.clock.now();
    const previous = this.counts.get(key);
    const fresh =
      previous !== undefined && now.getTime() - previous.lastFailureAt.getTime() < forgetAfterMs;
    const next = { failures: fresh ? previous.failures + 1 : 1, lastFailureAt: now };
    this.counts.set(key, next);
    this.forgetOld(now, forgetAfterMs);
    return Promise.resolve(next);
  }

  clear(key: string): Promise<void> {
    this.counts.delete(key);
    return Promise.resolve();
  }

  /** Drops stale keys so a spray of user names cannot grow the map without bound. */
  private forgetOld(now: Date, forgetAfterMs: number): void {
    if (this.counts.size < 10_000) return;
    for (const [key, count] of this.counts) {
      if (now.getTime() - count.lastFailureAt.getTime() >= forgetAfterMs) this.counts.delete(key);
    }
  }
}
