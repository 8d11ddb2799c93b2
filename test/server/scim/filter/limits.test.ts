import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../../src/server/scim/errors.ts';
import { buildFilter } from '../../../../src/server/scim/filter/evaluate.ts';
import { scimLimits } from '../../../../src/server/scim/filter/limits.ts';
import { parseFilter } from '../../../../src/server/scim/filter/parser.ts';
import { readPatchRequest } from '../../../../src/server/scim/patch/apply.ts';
import { resolvePatchPath } from '../../../../src/server/scim/patch/path.ts';

const term = 'userName eq "a"';

/** Joins `count` copies of `part` with `separator`. */
function repeat(part: string, count: number, separator = ''): string {
  return Array.from({ length: count }, () => part).join(separator);
}

/** `term` inside `depth` levels of parentheses. */
function nested(depth: number, open = '('): string {
  return open.repeat(depth) + term + ')'.repeat(depth);
}

const rejectedFilters: { name: string; filter: string; detail: string[] }[] = [
  {
    name: '10,000 nested parentheses',
    filter: nested(10_000),
    detail: ['20015 characters', 'limit of 4096'],
  },
  {
    name: '100,000 "not ("',
    filter: nested(100_000, 'not ('),
    detail: ['600015 characters', 'limit of 4096'],
  },
  {
    name: 'a 1 MB filter',
    filter: `userName eq "${'a'.repeat(1_000_000)}"`,
    detail: ['1000014 characters', 'limit of 4096'],
  },
  {
    name: '20,000 terms joined by or',
    filter: repeat(term, 20_000, ' or '),
    detail: ['379996 characters', 'limit of 4096'],
  },
  {
    name: '20,000 terms joined by and',
    filter: repeat(term, 20_000, ' and '),
    detail: ['399995 characters', 'limit of 4096'],
  },
  {
    name: 'an attribute path of 5,000 characters',
    filter: `${'a'.repeat(5000)} pr`,
    detail: ['5003 characters', 'limit of 4096'],
  },
  {
    name: '33 nested parentheses',
    filter: nested(33),
    detail: ['33 levels deep', 'limit of 32'],
  },
  {
    name: '33 nested "not ("',
    filter: nested(33, 'not ('),
    detail: ['33 levels deep', 'limit of 32'],
  },
  {
    name: '2,000 unclosed parentheses',
    filter: '('.repeat(2000) + term,
    detail: ['2000 levels deep', 'limit of 32'],
  },
  {
    name: '2,000 closing parentheses',
    filter: term + ')'.repeat(2000),
    detail: ['expected "and", "or" or the end of the filter'],
  },
  {
    name: 'a dotted path of 2,000 parts',
    filter: `${repeat('a', 2000, '.')} pr`,
    detail: ['is not an attribute path'],
  },
];

describe('filter limits', () => {
  it.each(rejectedFilters)('parse rejects $name', ({ filter, detail }) => {
    const result = parseFilter(filter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.scimType).toBe('invalidFilter');
    expect(result.error.status).toBe(400);
    for (const part of detail) expect(result.error.message).toContain(part);
  });

  it('parse reports the limit and length', () => {
    const result = parseFilter(nested(10_000));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details).toEqual({ limit: 4096, length: 20_015 });
  });

  it('parse reports the limit and depth', () => {
    const result = parseFilter(nested(40));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.details).toEqual({ limit: 32, depth: 40 });
  });

  it('accepts 32 nested parentheses', () => {
    expect(parseFilter(nested(scimLimits.maxNestingDepth)).ok).toBe(true);
    expect(parseFilter(nested(scimLimits.maxNestingDepth, 'not (')).ok).toBe(true);
  });

  it.each([' or ', ' and '])('evaluates the longest%schain', (separator) => {
    const count = Math.floor(
      (scimLimits.maxFilterLength + separator.length) / (term.length + separator.length),
    );
    const filter = repeat(term, count, separator);
    expect(filter.length).toBeLessThanOrEqual(scimLimits.maxFilterLength);
    const result = buildFilter(filter);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value({ userName: 'a' })).toBe(true);
    expect(result.value({ userName: 'b' })).toBe(false);
  });

  it('evaluates the deepest accepted nesting', () => {
    const result = buildFilter(nested(scimLimits.maxNestingDepth, 'not ('));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value({ userName: 'a' })).toBe(true);
  });
});

/** Runs `step` and returns the ScimError it throws. */
function thrown(step: () => unknown): ScimError {
  try {
    step();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

const rejectedPaths: { name: string; path: string; detail: string[] }[] = [
  {
    name: '5,000 nested parentheses in a value filter',
    path: `emails[${'('.repeat(5000)}value pr${')'.repeat(5000)}]`,
    detail: ['10016 characters', 'limit of 1024'],
  },
  {
    name: 'an attribute name of 100,000 characters',
    path: 'a'.repeat(100_000),
    detail: ['100000 characters', 'limit of 1024'],
  },
  {
    name: '33 nested parentheses in a value filter',
    path: `emails[${'('.repeat(33)}value pr${')'.repeat(33)}]`,
    detail: ['34 levels deep', 'limit of 32'],
  },
  {
    name: 'a dotted path of 200 parts',
    path: repeat('name', 200, '.'),
    detail: ['is not an attribute path'],
  },
];

describe('PATCH limits', () => {
  it.each(rejectedPaths)('path rejects $name', ({ path, detail }) => {
    const error = thrown(() => resolvePatchPath(path));
    expect(error.scimType).toBe('invalidPath');
    expect(error.status).toBe(400);
    for (const part of detail) expect(error.message).toContain(part);
  });

  it('path error quotes only the start', () => {
    const error = thrown(() => resolvePatchPath('a'.repeat(100_000)));
    expect(error.message.length).toBeLessThan(200);
  });

  it('accepts 31 nested parentheses in a path', () => {
    const path = `emails[${'('.repeat(31)}value pr${')'.repeat(31)}]`;
    expect(resolvePatchPath(path).kind).toBe('attribute');
  });

  const operations = (count: number) => ({
    Operations: Array.from({ length: count }, (_, index) => ({
      op: 'replace',
      path: 'displayName',
      value: `Name ${index}`,
    })),
  });

  it('accepts 1,000 operations', () => {
    expect(readPatchRequest(operations(scimLimits.maxPatchOperations))).toHaveLength(1000);
  });

  it('rejects 1,001 operations', () => {
    const error = thrown(() => readPatchRequest(operations(1001)));
    expect(error.scimType).toBe('tooMany');
    expect(error.status).toBe(400);
    expect(error.message).toContain('1001 operations');
    expect(error.message).toContain('limit of 1000');
    expect(error.details).toEqual({ limit: 1000, count: 1001 });
  });
});
