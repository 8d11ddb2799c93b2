import type { SignInFailures, SignInThrottleApi } from '../../hosted/index.ts';
import type { FailureCount } from './throttle.ts';

/** A counter of failed sign-ins per key (an account or a client address). */
export interface SignInThrottleStore {
  get(key: string): Promise<FailureCount | undefined>;
  /** Adds one failure now; restarts the count at 1 when the last failure is older than forgetAfterMs. */
  recordFailure(key: string, forgetAfterMs: number): Promise<FailureCount>;
  clear(key: string): Promise<void>;
}

function toCount(failures: SignInFailures): FailureCount {
  return { failures: failures.failures, lastFailureAt: new Date(failures.lastFailureAt) };
}

/**
 * Counts failures in the hosted store, so every service instance on one database slows the
 * same attacker. The store normalises keys (NFC, lower case).
 */
export class HostedThrottleStore implements SignInThrottleStore {
  constructor(private readonly throttle: SignInThrottleApi) {}

  async get(key: string): Promise<FailureCount | undefined> {
    const failures = await this.throttle.get(key);
    return failures === null ? undefined : toCount(failures);
  }

  async recordFailure(key: string, forgetAfterMs: number): Promise<FailureCount> {
    return toCount(await this.throttle.recordFailure(key, forgetAfterMs));
  }

  clear(key: string): Promise<void> {
    return this.throttle.clear(key);
  }
}
