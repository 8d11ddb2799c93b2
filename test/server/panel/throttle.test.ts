import { describe, expect, it } from 'vitest';
import { csrfTokenMatches, newCsrfToken } from '../../../src/server/panel/csrf.ts';
import { defaultThrottlePolicy, secondsToWait } from '../../../src/server/panel/throttle.ts';

const at = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number): Date => new Date(at.getTime() + seconds * 1000);

describe('sign-in throttle', () => {
  it.each([
    { name: 'no failures', failures: undefined, after: 0, wait: 0 },
    { name: 'within free attempts', failures: 3, after: 0, wait: 0 },
    { name: 'first extra failure', failures: 4, after: 0, wait: 2 },
    { name: 'second extra failure', failures: 5, after: 0, wait: 4 },
    { name: 'delay partly over', failures: 5, after: 3, wait: 1 },
    { name: 'delay over', failures: 5, after: 4, wait: 0 },
    {
      name: 'capped at maximum',
      failures: 40,
      after: 0,
      wait: defaultThrottlePolicy.maxDelaySeconds,
    },
    { name: 'forgotten after an hour', failures: 40, after: 3600, wait: 0 },
  ])('$name', ({ failures, after, wait }) => {
    const count = failures === undefined ? undefined : { failures, lastFailureAt: at };
    expect(secondsToWait(count, later(after))).toBe(wait);
  });
});

describe('CSRF token', () => {
  it('matches itself', () => {
    const token = newCsrfToken();
    expect(csrfTokenMatches(token, token)).toBe(true);
  });

  it.each([
    ['another token', newCsrfToken()],
    ['empty string', ''],
    ['missing', undefined],
    ['array', ['a']],
    ['prefix', 'abc'],
  ])('rejects %s', (_name, submitted) => {
    expect(csrfTokenMatches(newCsrfToken(), submitted)).toBe(false);
  });

  it('tokens differ', () => {
    expect(newCsrfToken()).not.toBe(newCsrfToken());
  });
});
