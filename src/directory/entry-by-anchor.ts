import { NoSuchObjectError } from 'ldapts';
import { UserPilotError } from '../protocol/errors.ts';
import { binaryAttributes, requestedAttributes } from './attribute-map.ts';
import type { DirectoryConnection } from './connection.ts';
import { isDnWithin } from './dn.ts';
import { type MappedEntry, mapEntry } from './entry-mapper.ts';
import { ExtendedDnControl } from './extended-dn.ts';
import { isGuidText } from './guid.ts';
import { userFilter } from './scope-read.ts';

export type EntryLookup =
  { kind: 'found'; entry: MappedEntry; inScope: boolean } | { kind: 'notFound'; anchor: string };

/**
 * Reads one whole user entry by its anchor, through AD's `<GUID=...>` DN form, so the agent can
 * send a full record when a change names only some attributes. `notFound` means no live user
 * has this anchor (deleted, or not a user).
 */
export async function readEntryByAnchor(
  connection: DirectoryConnection,
  anchor: string,
  scopeDn: string,
): Promise<EntryLookup> {
  if (!isGuidText(anchor))
    throw new RangeError(`Not an anchor (GUID text): ${JSON.stringify(anchor)}.`);
  let entries;
  try {
    const result = await connection.search(
      `<GUID=${anchor}>`,
      {
        scope: 'base',
        filter: userFilter,
        attributes: [...requestedAttributes],
        explicitBufferAttributes: [...binaryAttributes],
      },
      [new ExtendedDnControl()],
    );
    entries = result.searchEntries;
  } catch (error) {
    if (error instanceof UserPilotError && error.cause instanceof NoSuchObjectError) {
      return { kind: 'notFound', anchor };
    }
    throw error;
  }
  const raw = entries[0];
  if (raw === undefined) return { kind: 'notFound', anchor };
  const entry = mapEntry(raw);
  const dn = entry.ok ? entry.record.dn : entry.failure.dn;
  return { kind: 'found', entry, inScope: isDnWithin(dn, scopeDn) };
}
