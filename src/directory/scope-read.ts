import type { DirectoryUserRecord, ReadMetadata } from '../protocol/records.ts';
import { binaryAttributes, requestedAttributes } from './attribute-map.ts';
import type { DirectoryConnection } from './connection.ts';
import { type EntryDecodeFailure, mapEntry } from './entry-mapper.ts';
import { ExtendedDnControl } from './extended-dn.ts';
import { type PagedSearchSummary, searchAllPages } from './paged-search.ts';
import { readDcState } from './root-dse.ts';
import { checkScope } from './scope.ts';
import { type Watermark, watermarkOf } from './watermark.ts';

/**
 * User objects: people of class user, computers excluded (a computer is also of class user).
 * objectCategory=person keeps contacts out, which are persons but not users.
 */
export const userFilter = '(&(objectCategory=person)(objectClass=user)(!(objectClass=computer)))';

export interface ScopeReadOptions {
  scopeDn: string;
  /** Entries per page, at most 1,000 (AD's MaxPageSize); default 1,000. */
  pageSize?: number;
  /** A cap on entries; a scope holding more fails as incomplete. Unlimited by default. */
  sizeLimit?: number;
  /** A cap in seconds the DC may spend; reaching it fails as incomplete. Unlimited by default. */
  timeLimitSeconds?: number;
}

export interface ReadRecord {
  record: DirectoryUserRecord;
  metadata: ReadMetadata;
}

/** The mapped entries of one search page, and those that could not be mapped. */
export interface ReadPage {
  records: ReadRecord[];
  failures: EntryDecodeFailure[];
}

export interface ScopeRead {
  /** The watermark to keep once every page was consumed; deltas start from it. */
  watermark: Watermark;
  /**
   * The pages of the read. The generator returns a summary when the read was complete, and
   * throws UP_DIRECTORY_READ_INCOMPLETE (or another UserPilot error) when it was not.
   */
  pages: AsyncGenerator<ReadPage, PagedSearchSummary, undefined>;
}

/** Maps the entries of one page; decode failures are logged with their DN and attribute. */
export function mapPage(
  connection: DirectoryConnection,
  entries: Parameters<typeof mapEntry>[0][],
): ReadPage {
  const page: ReadPage = { records: [], failures: [] };
  for (const entry of entries) {
    const mapped = mapEntry(entry);
    if (mapped.ok) {
      page.records.push({ record: mapped.record, metadata: mapped.metadata });
      continue;
    }
    page.failures.push(mapped.failure);
    for (const problem of mapped.failure.problems) {
      connection.logger.warn(
        {
          code: 'UP_DIRECTORY_ENTRY_UNDECODABLE',
          entry_dn: mapped.failure.dn,
          anchor: mapped.failure.anchor,
          attribute: problem.attribute,
        },
        `skipped an entry: ${problem.attribute} ${problem.message}`,
      );
    }
  }
  return page;
}

async function* mappedPages(
  connection: DirectoryConnection,
  options: ScopeReadOptions,
): AsyncGenerator<ReadPage, PagedSearchSummary, undefined> {
  const started = performance.now();
  const pages = searchAllPages(connection, {
    base: options.scopeDn,
    filter: userFilter,
    attributes: requestedAttributes,
    binaryAttributes,
    controls: [new ExtendedDnControl()],
    description: `the scope ${options.scopeDn}`,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.sizeLimit === undefined ? {} : { sizeLimit: options.sizeLimit }),
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
  });
  for (;;) {
    const next = await pages.next();
    if (next.done === true) {
      connection.logger.info(
        {
          scope_dn: options.scopeDn,
          count: next.value.entries,
          pages: next.value.pages,
          duration_ms: Math.round(performance.now() - started),
        },
        'full read of the scope complete',
      );
      return next.value;
    }
    yield mapPage(connection, next.value);
  }
}

/**
 * Starts a full read of the users in the scope subtree. The scope is checked first (each failure
 * with its own error), then the DC's USN is read, before any entry, so that a change made while
 * the read runs is seen again by the next delta rather than lost.
 */
export async function startScopeRead(
  connection: DirectoryConnection,
  options: ScopeReadOptions,
): Promise<ScopeRead> {
  const check = await checkScope(connection, options.scopeDn);
  if (!check.ok) throw check.error;
  const state = await readDcState(connection);
  return {
    watermark: watermarkOf(state, options.scopeDn),
    pages: mappedPages(connection, options),
  };
}
