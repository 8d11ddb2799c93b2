import type { Entry } from 'ldapts';
import type { DirectoryConnection } from './connection.ts';
import { type PagedSearch, type PagedSearchSummary, searchAllPages } from './paged-search.ts';

/**
 * Splits a search into disjoint uSNCreated ranges, so that several connections can read one
 * scope at once. uSNCreated never changes, so every entry falls into exactly one range; the
 * last range is open-ended and also takes entries created during the read.
 */
export function usnRangeFilters(filter: string, highestUsn: bigint, ranges: number): string[] {
  if (ranges <= 1 || highestUsn < BigInt(ranges)) return [filter];
  const bounds: bigint[] = [];
  for (let index = 1; index < ranges; index += 1) {
    bounds.push((highestUsn * BigInt(index)) / BigInt(ranges));
  }
  return bounds
    .map((bound, index) => {
      const below = `(uSNCreated<=${bound})`;
      const above = index === 0 ? '' : `(!(uSNCreated<=${bounds[index - 1]}))`;
      return `(&${filter}${above}${below})`;
    })
    .concat(`(&${filter}(!(uSNCreated<=${bounds.at(-1)})))`);
}

interface Running {
  connection: DirectoryConnection;
  pages: AsyncGenerator<Entry[], PagedSearchSummary, undefined>;
  next: Promise<{ running: Running; result: IteratorResult<Entry[], PagedSearchSummary> }>;
}

function advance(running: Running): Running {
  running.next = running.pages.next().then((result) => ({ running, result }));
  // A rejection is awaited through Promise.race; this keeps a later one from counting as
  // unhandled while another source is being read.
  running.next.catch(() => undefined);
  return running;
}

/**
 * Runs one paged search per filter, at most one at a time per connection, and yields their pages
 * as they arrive. The read is complete only when every search completed; the first failure
 * stops the others and is thrown (an UP_DIRECTORY_READ_INCOMPLETE from searchAllPages).
 */
export async function* searchInParallel(
  connections: DirectoryConnection[],
  search: PagedSearch,
  filters: string[],
): AsyncGenerator<Entry[], PagedSearchSummary, undefined> {
  const queue = [...filters];
  const active = new Set<Running>();
  const summary: PagedSearchSummary = { entries: 0, pages: 0, references: 0 };
  const start = (connection: DirectoryConnection): void => {
    const filter = queue.shift();
    if (filter === undefined) return;
    const pages = searchAllPages(connection, { ...search, filter });
    active.add(advance({ connection, pages, next: Promise.resolve() as never }));
  };
  for (const connection of connections) start(connection);

  try {
    while (active.size > 0) {
      const { running, result } = await Promise.race([...active].map((item) => item.next));
      if (result.done === true) {
        active.delete(running);
        summary.entries += result.value.entries;
        summary.pages += result.value.pages;
        summary.references += result.value.references;
        start(running.connection);
        continue;
      }
      advance(running);
      yield result.value;
    }
  } finally {
    // Stopping early or after a failure leaves the other searches' pages in flight; let them
    // finish and drop them.
    for (const running of active) running.pages.return(undefined as never).catch(() => undefined);
  }
  return summary;
}
