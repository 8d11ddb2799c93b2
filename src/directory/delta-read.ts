import type { Entry } from 'ldapts';
import type { DirectoryUserRecord, ReadMetadata } from '../protocol/records.ts';
import { binaryAttributes, requestedAttributes } from './attribute-map.ts';
import type { DirectoryConnection } from './connection.ts';
import { isDnWithin } from './dn.ts';
import { type EntryDecodeFailure, mapEntry } from './entry-mapper.ts';
import { ExtendedDnControl, parseExtendedDn, ShowDeletedControl } from './extended-dn.ts';
import { guidFromBytes } from './guid.ts';
import { type PagedSearchSummary, searchAllPages } from './paged-search.ts';
import { readDcState } from './root-dse.ts';
import { checkWatermark, type FullReadReason, type Watermark, watermarkOf } from './watermark.ts';

/**
 * One change since a watermark, as the changed user is now. The agent compares it with the
 * record it sent last to tell an edit, a rename or a move apart.
 */
export type DirectoryChange =
  /** A user in the scope now: edited, renamed, moved inside the scope, or moved into it. */
  | { kind: 'changed'; record: DirectoryUserRecord; metadata: ReadMetadata }
  /**
   * A live user outside the scope that changed: a move out of the scope when the agent has sent
   * its anchor, otherwise a change the agent ignores.
   */
  | { kind: 'outOfScope'; anchor: string; dn: string }
  /** A deleted user (a tombstone). lastKnownParent is where it was when it was deleted. */
  | { kind: 'deleted'; anchor: string; dn: string; lastKnownParent: string | null }
  /** A user in the scope whose values could not be decoded; see EntryDecodeFailure. */
  | { kind: 'undecodable'; failure: EntryDecodeFailure };

export type DeltaRead =
  | { kind: 'fullReadRequired'; reason: FullReadReason; message: string }
  | {
      kind: 'delta';
      /** The watermark to keep once every page of changes was consumed. */
      watermark: Watermark;
      /** Pages of changes; throws UP_DIRECTORY_READ_INCOMPLETE when the read stopped early. */
      changes: AsyncGenerator<DirectoryChange[], PagedSearchSummary, undefined>;
    };

/**
 * Changed users anywhere in the naming context, tombstones included (under the Show Deleted
 * control). Tombstones lose objectCategory, so only live entries are filtered by it.
 */
function deltaFilter(fromUsn: bigint): string {
  return (
    `(&(objectClass=user)(!(objectClass=computer))(uSNChanged>=${fromUsn})` +
    '(|(objectCategory=person)(isDeleted=TRUE)))'
  );
}

function firstValue(entry: Entry, attribute: string): string | Buffer | undefined {
  const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  return Array.isArray(value) ? value[0] : value;
}

function anchorOf(entry: Entry): string | undefined {
  const bytes = firstValue(entry, 'objectGUID');
  if (!Buffer.isBuffer(bytes) || bytes.length !== 16) return undefined;
  return guidFromBytes(bytes);
}

/** Classifies one changed entry against the scope. */
export function classifyChange(entry: Entry, scopeDn: string): DirectoryChange {
  const dn = parseExtendedDn(entry.dn).dn;
  const anchor = anchorOf(entry);
  const deleted = String(firstValue(entry, 'isDeleted') ?? '').toUpperCase() === 'TRUE';
  if (deleted && anchor !== undefined) {
    const parent = firstValue(entry, 'lastKnownParent');
    const lastKnownParent = typeof parent === 'string' ? parseExtendedDn(parent).dn : null;
    return { kind: 'deleted', anchor, dn, lastKnownParent };
  }
  if (!deleted && anchor !== undefined && !isDnWithin(dn, scopeDn)) {
    return { kind: 'outOfScope', anchor, dn };
  }
  const mapped = mapEntry(entry);
  if (mapped.ok) return { kind: 'changed', record: mapped.record, metadata: mapped.metadata };
  return { kind: 'undecodable', failure: mapped.failure };
}

async function* changePages(
  connection: DirectoryConnection,
  base: string,
  scopeDn: string,
  since: Watermark,
): AsyncGenerator<DirectoryChange[], PagedSearchSummary, undefined> {
  const pages = searchAllPages(connection, {
    base,
    filter: deltaFilter(BigInt(since.usn) + 1n),
    attributes: [...requestedAttributes, 'isDeleted', 'lastKnownParent'],
    binaryAttributes,
    controls: [new ExtendedDnControl(), new ShowDeletedControl()],
    description: `the changes since USN ${since.usn} on ${since.dnsHostName}`,
  });
  for (;;) {
    const next = await pages.next();
    if (next.done === true) {
      connection.logger.info(
        { scope_dn: scopeDn, since_usn: since.usn, count: next.value.entries },
        'delta read complete',
      );
      return next.value;
    }
    const changes = next.value.map((entry) => classifyChange(entry, scopeDn));
    for (const change of changes) {
      if (change.kind !== 'undecodable') continue;
      connection.logger.warn(
        {
          code: 'UP_DIRECTORY_ENTRY_UNDECODABLE',
          entry_dn: change.failure.dn,
          anchor: change.failure.anchor,
        },
        `skipped a changed entry: ${change.failure.problems.map((p) => `${p.attribute} ${p.message}`).join('; ')}`,
      );
    }
    yield changes;
  }
}

/**
 * Reads what changed since a watermark. Returns `fullReadRequired`, with the reason logged, when
 * the watermark is from another DC, from before a restore (new invocationId), ahead of the DC's
 * USN, or for another scope.
 */
export async function readChanges(
  connection: DirectoryConnection,
  scopeDn: string,
  since: Watermark,
): Promise<DeltaRead> {
  const state = await readDcState(connection);
  const problem = checkWatermark(since, state, scopeDn);
  if (problem !== undefined) {
    connection.logger.warn(
      { code: 'UP_DIRECTORY_FULL_READ_REQUIRED', reason: problem.reason },
      `a full read is required: ${problem.message}`,
    );
    return { kind: 'fullReadRequired', ...problem };
  }
  return {
    kind: 'delta',
    watermark: watermarkOf(state, scopeDn),
    changes: changePages(connection, state.defaultNamingContext, scopeDn, since),
  };
}
