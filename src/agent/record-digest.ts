import { createHash } from 'node:crypto';
import { recordAttributes, type DirectoryUserRecord } from '../protocol/records.ts';

/**
 * The record's state as canonical JSON: the state attributes in their fixed order. Read
 * metadata (whenChanged, uSNChanged) is not part of the record, so two reads of an unchanged
 * object from two DCs give the same text.
 */
export function canonicalRecordJson(record: DirectoryUserRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const attribute of recordAttributes) ordered[attribute] = record[attribute];
  return JSON.stringify(ordered);
}

/** SHA-256 of the canonical JSON, hex; equal digests mean equal state. */
export function digestRecord(record: DirectoryUserRecord): string {
  return createHash('sha256').update(canonicalRecordJson(record)).digest('hex');
}

/** One attribute that differs between the last state sent and the state read now. */
export interface AttributeChange {
  attribute: string;
  before: unknown;
  after: unknown;
}

/** Lists the attributes whose values differ, in the record's fixed attribute order. */
export function diffRecords(
  before: DirectoryUserRecord | undefined,
  after: DirectoryUserRecord,
): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const attribute of recordAttributes) {
    const previous = before === undefined ? null : before[attribute];
    const current = after[attribute];
    if (JSON.stringify(previous) !== JSON.stringify(current)) {
      changes.push({
        attribute,
        before: before === undefined ? undefined : previous,
        after: current,
      });
    }
  }
  return changes;
}
