import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActivityQuery } from '../../src/hosted/types.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { engines, openHarness, type Harness } from './harness.ts';

const alice = { kind: 'admin', id: 'alice' } as const;
const bob = { kind: 'admin', id: 'bob' } as const;

describe.each(engines)('activity filters on %s', (engine) => {
  let h: Harness;
  let tenantId: string;

  /** Writes one domain registration per hour from 09:00: alice, bob, alice, bob. */
  beforeEach(async () => {
    h = await openHarness(engine);
    const tenant = await h.service.tenants.create({ name: 'Filters' }, { kind: 'system' });
    tenantId = tenant.id;
    h.clock.set('2026-03-01T09:00:00Z');
    for (const [index, actor] of [alice, bob, alice, bob].entries()) {
      await h.service.domains.register(tenantId, `d${index}.example`, actor);
      h.clock.advance(60 * 60 * 1000);
    }
  });

  afterEach(async () => {
    await h.dispose();
  });

  const domainsOf = async (query: ActivityQuery) => {
    const page = await h.service.activity.list(tenantId, { objectType: 'domain', ...query });
    return { names: page.items.map((e) => e.after?.['name']), total: page.total };
  };

  it.each([
    { name: 'no filter', query: {}, names: ['d3', 'd2', 'd1', 'd0'] },
    { name: 'one actor', query: { actor: 'admin:alice' }, names: ['d2', 'd0'] },
    { name: 'actor list', query: { actor: ['admin:bob', 'admin:x'] }, names: ['d3', 'd1'] },
    { name: 'empty actor list', query: { actor: [] }, names: [] },
    {
      name: 'since, inclusive',
      query: { since: '2026-03-01T10:00:00Z' },
      names: ['d3', 'd2', 'd1'],
    },
    { name: 'until, inclusive', query: { until: '2026-03-01T10:00:00Z' }, names: ['d1', 'd0'] },
    {
      name: 'offset time',
      query: { since: '2026-03-01T11:00:00+01:00' },
      names: ['d3', 'd2', 'd1'],
    },
    {
      name: 'actor and window',
      query: { actor: 'admin:bob', since: '2026-03-01T10:30:00Z', until: '2026-03-01T13:00:00Z' },
      names: ['d3'],
    },
  ])('$name', async ({ query, names }) => {
    const result = await domainsOf(query);
    expect(result.names).toEqual(names.map((n) => `${n}.example`));
    expect(result.total).toBe(names.length);
  });

  it('filtered pages are full and page on', async () => {
    const first = await h.service.activity.list(tenantId, { actor: 'admin:alice', limit: 1 });
    expect(first.items.map((e) => e.after?.['name'])).toEqual(['d2.example']);
    expect(first.nextCursor).not.toBeNull();
    const second = await h.service.activity.list(tenantId, {
      actor: 'admin:alice',
      limit: 1,
      cursor: first.nextCursor ?? '',
    });
    expect(second.items.map((e) => e.after?.['name'])).toEqual(['d0.example']);
    expect(second.nextCursor).toBeNull();
  });

  it.each(['since', 'until'] as const)('invalid %s is rejected', async (field) => {
    const error = await h.service.activity
      .list(tenantId, { [field]: 'yesterday' })
      .catch((e: unknown) => e);
    expect(isUserPilotError(error, 'UP_HOSTED_INPUT_INVALID')).toBe(true);
  });
});
