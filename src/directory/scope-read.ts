import type { DirectoryUserRecord, ReadMetadata } from '../protocol/records.ts';
import { binaryAttributes, requestedAttributes } from './attribute-map.ts';
import type { DirectoryConnection } from './connection.ts';
import { type EntryDecodeFailure, mapEntry } from './entry-mapper.ts';
import { ExtendedDnControl } from './extended-dn.ts';
import type { PagedSearchSummary } from './paged-search.ts';
import { searchInParallel, usnRangeFilters } from './parallel-search.ts';
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
  /**
   * Connections that read disjoint uSNCreated ranges of the scope at once; default 2, and 1
   * for a single paged search. The size and time limits apply to each range's search.
   */
  parallelism?: number;
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

/** Opens the extra connections of a parallel read; fewer when some cannot connect. */
async function readConnections(
  connection: DirectoryConnection,
  parallelism: number,
): Promise<DirectoryConnection[]> {
  const connections = [connection];
  for (let index = 1; index < parallelism; index += 1) {
    const sibling = await connection.openSibling();
    if (sibling !== undefined) connections.push(sibling);
  }
  return connections;
}

async function* mappedPages(
  connection: DirectoryConnection,
  options: ScopeReadOptions,
  highestUsn: bigint,
): AsyncGenerator<ReadPage, PagedSearchSummary, undefined> {
  const started = performance.now();
  const connections = await readConnections(connection, options.parallelism ?? 2);
  // Twice as many ranges as connections, so a connection that finishes early takes another
  // range and an uneven spread of uSNCreated evens out.
  const ranges = connections.length === 1 ? 1 : connections.length * 2;
  const search = {
    base: options.scopeDn,
    attributes: requestedAttributes,
    binaryAttributes,
    controls: [new ExtendedDnControl()],
    description: `the scope ${options.scopeDn}`,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    ...(options.sizeLimit === undefined ? {} : { sizeLimit: options.sizeLimit }),
    ...(options.timeLimitSeconds === undefined
      ? {}
      : { timeLimitSeconds: options.timeLimitSeconds }),
  };
  const pages = searchInParallel(
    connections,
    { ...search, filter: userFilter },
    usnRangeFilters(userFilter, highestUsn, ranges),
  );
  try {
    for (;;) {
      const next = await pages.next();
      if (next.done === true) {
        connection.logger.info(
          {
            scope_dn: options.scopeDn,
            count: next.value.entries,
            pages: next.value.pages,
            connections: connections.length,
            duration_ms: Math.round(performance.now() - started),
          },
          'full read of the scope complete',
        );
        return next.value;
      }
      yield mapPage(connection, next.value);
    }
  } finally {
    await Promise.all(connections.slice(1).map((sibling) => sibling.close()));
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
    pages: mappedPages(connection, options, BigInt(state.highestCommittedUSN)),
  };
}
