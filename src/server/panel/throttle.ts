/**
 * The sign-in slow-down rule. After `freeAttempts` failures in a row for one key (an account or
 * a client address), each further attempt must wait `baseDelaySeconds * 2^(extra failures - 1)`
 * seconds after the last failure, capped at `maxDelaySeconds`. Failures older than
 * `forgetAfterSeconds` no longer count. A successful sign-in clears the account's count.
 */
export interface ThrottlePolicy {
  freeAttempts: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  forgetAfterSeconds: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = {
  freeAttempts: 3,
  baseDelaySeconds: 2,
  maxDelaySeconds: 15 * 60,
  forgetAfterSeconds: 60 * 60,
};

/** The failures recorded for one key. */
export interface FailureCount {
  failures: number;
  lastFailureAt: Date;
}

/** Returns how many whole seconds the key must still wait before its next attempt, 0 if none. */
export function secondsToWait(
  count: FailureCount | undefined,
  now: Date,
  policy: ThrottlePolicy = defaultThrottlePolicy,
): number {
  if (count === undefined) return 0;
  const sinceLastMs = now.getTime() - count.lastFailureAt.getTime();
  if (sinceLastMs >= policy.forgetAfterSeconds * 1000) return 0;

  const extra = count.failures - policy.freeAttempts;
  if (extra <= 0) return 0;

  const delaySeconds = Math.min(policy.baseDelaySeconds * 2 ** (extra - 1), policy.maxDelaySeconds);
  const remainingMs = delaySeconds * 1000 - sinceLastMs;
  return remainingMs > 0 ? Math.ceil(remainingMs / 1000) : 0;
}
