import type { Control, Entry } from 'ldapts';
import { UserPilotError } from '../protocol/errors.ts';
import { describeResultCode } from './connection-errors.ts';
import type { DirectoryConnection } from './connection.ts';
import type { SearchStatus } from './search-status.ts';

/** AD returns at most MaxPageSize entries per page, 1,000 by default. */
export const maxPageSize = 1000;

export interface PagedSearch {
  base: string;
  /** Subtree by default; `one` for the children of the base only. */
  scope?: 'sub' | 'one';
  filter: string;
  attributes: readonly string[];
  binaryAttributes: readonly string[];
  controls: Control[];
  /** Entries per page, 1 to 1,000. */
  pageSize?: number;
  /** Entries the server may return in total; reaching it fails the read. Unlimited by default. */
  sizeLimit?: number;
  /** Seconds the server may spend; reaching it fails the read. Unlimited by default. */
  timeLimitSeconds?: number;
  /** A description of the read for messages, e.g. "the scope OU=Staff,DC=lab,DC=test". */
  description: string;
}

export interface PagedSearchSummary {
  entries: number;
  pages: number;
  /** Search references (referrals to other partitions) that were logged and skipped. */
  references: number;
}

function checkPageSize(pageSize: number): number {
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    throw new RangeError(
      `The page size must be an integer from 1 to ${maxPageSize}, got ${pageSize}.`,
    );
  }
  return pageSize;
}

/** The error for a read that stopped early; its entries must not be taken for the whole set. */
export function incompleteRead(
  search: Pick<PagedSearch, 'description'>,
  entries: number,
  cause: unknown,
): UserPilotError {
  const reason =
    cause instanceof UserPilotError ? `${cause.code}: ${cause.message}` : String(cause);
  return new UserPilotError(
    'UP_DIRECTORY_READ_INCOMPLETE',
    `The read of ${search.description} is incomplete after ${entries} entries: ${reason}`,
    {
      hint: 'Nothing may be concluded from what the read lacks. Retry it.',
      details: {
        entries_read: entries,
        cause_code: cause instanceof UserPilotError ? cause.code : undefined,
      },
      cause,
    },
  );
}

function statusError(statuses: SearchStatus[]): Error {
  const text = statuses
    .map(({ status, diagnostic }) => `${describeResultCode(status)} ${diagnostic}`.trim())
    .join('; ');
  return new Error(`the server ended the search with ${text}`);
}

/**
 * Runs a paged search and yields the entries of each page until the last one. A lost
 * connection, a timeout, or any result code other than success (a size or time limit) throws
 * UP_DIRECTORY_READ_INCOMPLETE, so a short result never looks complete. Search references are
 * logged and skipped.
 */
export async function* searchAllPages(
  connection: DirectoryConnection,
  search: PagedSearch,
): AsyncGenerator<Entry[], PagedSearchSummary, undefined> {
  const pageSize = checkPageSize(search.pageSize ?? maxPageSize);
  const summary: PagedSearchSummary = { entries: 0, pages: 0, references: 0 };
  const pages = connection.searchPages(
    search.base,
    {
      scope: search.scope ?? 'sub',
      filter: search.filter,
      attributes: [...search.attributes],
      explicitBufferAttributes: [...search.binaryAttributes],
      paged: { pageSize },
      ...(search.sizeLimit === undefined ? {} : { sizeLimit: search.sizeLimit }),
      ...(search.timeLimitSeconds === undefined ? {} : { timeLimit: search.timeLimitSeconds }),
    },
    search.controls,
  );
  try {
    for await (const page of pages) {
      const statuses = connection.takeStatuses();
      if (statuses.length > 0) throw statusError(statuses);
      summary.pages += 1;
      summary.entries += page.searchEntries.length;
      logReferences(connection, search, page.searchReferences);
      summary.references += page.searchReferences.length;
      yield page.searchEntries;
    }
    const statuses = connection.takeStatuses();
    if (statuses.length > 0) throw statusError(statuses);
  } catch (error) {
    if (error instanceof UserPilotError && error.code === 'UP_DIRECTORY_READ_INCOMPLETE')
      throw error;
    throw incompleteRead(search, summary.entries, error);
  }
  return summary;
}

function logReferences(
  connection: DirectoryConnection,
  search: PagedSearch,
  references: string[],
): void {
  if (references.length === 0) return;
  connection.logger.info(
    { count: references.length, references, base: search.base },
    'skipped search references to other partitions or servers',
  );
}
