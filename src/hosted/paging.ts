/** Page sizes and opaque keyset cursors shared by the list methods. */
import { rejection } from './context.ts';

export const defaultPageSize = 50;
export const maxPageSize = 500;

/** Validates a requested page size; the default when none is given. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      `The page size ${limit} is invalid.`,
      `Pass a whole number from 1 to ${maxPageSize}.`,
      { limit },
    );
  }
  return limit;
}

export function pageOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw rejection('UP_HOSTED_INPUT_INVALID', `The offset ${offset} is invalid.`, undefined, {
      offset,
    });
  }
  return offset;
}

/** Encodes the sort key of a page's last row as an opaque cursor. */
export function encodeCursor(values: readonly [string, string]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a cursor made by encodeCursor from a sort key and an id; rejects anything else. */
export function decodeCursor(cursor: string): [string, string] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = undefined;
  }
  if (
    !Array.isArray(values) ||
    values.length !== 2 ||
    !values.every((value) => typeof value === 'string')
  ) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      'The page cursor is invalid.',
      'Pass the nextCursor of the previous page unchanged.',
    );
  }
  return values as [string, string];
}

/** Escapes LIKE wildcards in a search term; queries pair it with `escape '\'`. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (match) => `\\${match}`)}%`;
}
