import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { engines, LogCapture, openHarness, serviceFor, type Harness } from './harness.ts';

const hour = 60 * 60 * 1000;

describe.each(engines)('sign-in throttle on %s', (engine) => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  it.each([
    { name: 'counts failures in a row', gapsMs: [0, 1000, 1000], failures: 3 },
    { name: 'restarts after the forget time', gapsMs: [0, 1000, hour], failures: 1 },
    { name: 'keeps counting just inside it', gapsMs: [0, hour - 1], failures: 2 },
  ])('$name', async ({ gapsMs, failures }) => {
    let last = { failures: 0, lastFailureAt: '' };
    for (const gap of gapsMs) {
      h.clock.advance(gap);
      last = await h.service.signInThrottle.recordFailure('admin:alice', hour);
    }
    expect(last).toEqual({ failures, lastFailureAt: h.clock.now().toISOString() });
    expect(await h.service.signInThrottle.get('admin:alice')).toEqual(last);
  });

  it.each([
    {
      name: 'NFD and NFC spellings',
      first: 'mailbox:jo\u0308rg@example.com',
      second: 'mailbox:jörg@example.com',
    },
    {
      name: 'upper and lower case',
      first: 'mailbox:JÖRG@Example.COM',
      second: 'mailbox:jörg@example.com',
    },
    { name: 'surrounding spaces', first: ' admin:bob ', second: 'admin:bob' },
  ])('$name share one key', async ({ first, second }) => {
    await h.service.signInThrottle.recordFailure(first, hour);
    expect((await h.service.signInThrottle.recordFailure(second, hour)).failures).toBe(2);
    await h.service.signInThrottle.clear(first);
    expect(await h.service.signInThrottle.get(second)).toBeNull();
  });

  it('keys do not mix and clear removes one key only', async () => {
    await h.service.signInThrottle.recordFailure('admin:a', hour);
    await h.service.signInThrottle.recordFailure('address:127.0.0.1', hour);
    await h.service.signInThrottle.clear('admin:a');
    expect(await h.service.signInThrottle.get('admin:a')).toBeNull();
    expect((await h.service.signInThrottle.get('address:127.0.0.1'))?.failures).toBe(1);
  });

  it('two service instances on one store share the counts', async () => {
    const other = serviceFor(h.opened, new ManualClock(h.clock.now()), new LogCapture());
    await h.service.signInThrottle.recordFailure('operator:root', hour);
    await other.signInThrottle.recordFailure('operator:root', hour);
    await Promise.all([
      h.service.signInThrottle.recordFailure('operator:root', hour),
      other.signInThrottle.recordFailure('operator:root', hour),
    ]);
    expect((await other.signInThrottle.get('operator:root'))?.failures).toBe(4);
  });

  it('forgotten keys are dropped when failures arrive', async () => {
    await h.service.signInThrottle.recordFailure('admin:old', hour);
    h.clock.advance(hour + 1);
    await h.service.signInThrottle.recordFailure('admin:new', hour);
    const rows = await h.opened.store.db.selectFrom('sign_in_failures').select('key').execute();
    expect(rows.map((row) => row.key)).toEqual(['admin:new']);
  });
});
