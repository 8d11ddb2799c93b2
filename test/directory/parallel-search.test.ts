import { describe, expect, it } from 'vitest';
import { usnRangeFilters } from '../../src/directory/parallel-search.ts';

/** Evaluates the uSNCreated part of a range filter for one USN. */
function matches(filter: string, usn: bigint): boolean {
  const below = [...filter.matchAll(/(?<!!)\(uSNCreated<=(\d+)\)/g)].map((m) => BigInt(m[1]!));
  const above = [...filter.matchAll(/\(!\(uSNCreated<=(\d+)\)\)/g)].map((m) => BigInt(m[1]!));
  return below.every((bound) => usn <= bound) && above.every((bound) => usn > bound);
}

describe('uSNCreated range filters', () => {
  it.each([
    ['two ranges', 1000n, 2],
    ['four ranges', 14733n, 4],
    ['six ranges of a small USN', 7n, 6],
  ])('puts every USN in one range: %s', (_name, highest, ranges) => {
    const filters = usnRangeFilters('(objectClass=user)', highest, ranges);
    expect(filters).toHaveLength(ranges);
    for (let usn = 0n; usn <= highest + 10n; usn += 1n) {
      const hits = filters.filter((filter) => matches(filter, usn));
      expect(hits, `USN ${usn}`).toHaveLength(1);
    }
  });

  it('keeps the base filter in every range', () => {
    for (const filter of usnRangeFilters('(cn=a)', 100n, 3)) expect(filter).toContain('(cn=a)');
  });

  it.each([
    ['one range', 1000n, 1],
    ['USN below the range count', 2n, 4],
  ])('returns the filter unsplit for %s', (_name, highest, ranges) => {
    expect(usnRangeFilters('(cn=a)', highest, ranges)).toEqual(['(cn=a)']);
  });
});
