import { ScimError } from '../errors.ts';
import { compileAttributeReader, type ResourceObject } from '../filter/evaluate.ts';
import { compareValues } from '../filter/values.ts';

/** The maximum number of resources in one list response, as ServiceProviderConfig announces. */
export const maxResults = 500;

/** The page size when a request gives no `count`. */
export const defaultCount = 100;

export interface Paging {
  /** 1-based index of the first result (RFC 7644 section 3.4.2.4). */
  readonly startIndex: number;
  readonly count: number;
}

/**
 * Reads `startIndex` and `count`. A startIndex below 1 counts as 1 and a negative count as 0, as
 * RFC 7644 section 3.4.2.4 defines. A count above maxResults is lowered to it.
 */
export function readPaging(startIndex: unknown, count: unknown): Paging {
  const start = toInteger(startIndex, 'startIndex') ?? 1;
  const size = toInteger(count, 'count') ?? defaultCount;
  return { startIndex: Math.max(1, start), count: Math.min(maxResults, Math.max(0, size)) };
}

function toInteger(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(number)) {
    throw new ScimError(
      'UP_SCIM_INVALID_VALUE',
      `The parameter ${name} must be an integer, not ${JSON.stringify(value)}.`,
    );
  }
  return number;
}

export type SortOrder = 'ascending' | 'descending';

/**
 * Builds a comparator of User resources for `sortBy` and `sortOrder`. Resources without a value
 * sort after those with one in ascending order, and before them in descending order; ties keep
 * the order of `id`, so pages do not overlap.
 */
export function buildSort(
  sortBy: string,
  sortOrder: string | undefined,
): (a: ResourceObject, b: ResourceObject) => number {
  const order = (sortOrder ?? 'ascending').toLowerCase();
  if (order !== 'ascending' && order !== 'descending') {
    throw new ScimError(
      'UP_SCIM_INVALID_VALUE',
      `The parameter sortOrder must be "ascending" or "descending", not ${JSON.stringify(sortOrder)}.`,
    );
  }
  const reader = compileAttributeReader(sortBy);
  if (!reader.ok) {
    throw new ScimError(
      'UP_SCIM_INVALID_VALUE',
      `The parameter sortBy is invalid: ${reader.error.message}`,
    );
  }
  const { definition, read } = reader.value;
  const direction = order === 'ascending' ? 1 : -1;
  return (a, b) => {
    const left = read(a)[0];
    const right = read(b)[0];
    let result: number;
    if (left === undefined && right === undefined) result = 0;
    else if (left === undefined) result = 1;
    else if (right === undefined) result = -1;
    else result = compareValues(definition, left, right);
    return result * direction || String(a.id).localeCompare(String(b.id));
  };
}
