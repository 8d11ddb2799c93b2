/**
 * Applying the records of one batch: set-based reads and writes per batch, a result per
 * record, and a bad record rejected alone (rule: one bad object stays alone).
 */
import { createHash } from 'node:crypto';
import { recordAttributes, type DirectoryUserRecord } from '../protocol/records.ts';
import { changedValues, recordActivity, type ActivityInput } from './activity.ts';
import { chunks, flag, type HostedContext, type Queryable } from './context.ts';
import { evaluateEligibility } from './eligibility.ts';
import { keyOrNull } from './keys.ts';
import { recordOf, type ObjectRow } from './link-core.ts';
import { planMailboxWrites } from './batch-mailboxes.ts';
import type { Actor, IneligibleReason, ObjectResult } from './types.ts';
import { checkRecord } from './validation.ts';

/** The record's attributes as JSON in their fixed order, so equal state gives equal text. */
export function canonicalJson(record: DirectoryUserRecord): string {
  // Copying into a fresh object is several times faster than a JSON.stringify key list.
  const ordered: Record<string, unknown> = {};
  for (const attribute of recordAttributes) ordered[attribute] = record[attribute];
  return JSON.stringify(ordered);
}

/** SHA-256 of the canonical JSON: equal hashes, equal state. */
export function recordHash(json: string): string {
  return createHash('sha256').update(json).digest('base64url');
}

/**
 * Loads the stored objects of the anchors without their record JSON, which only changed
 * objects need (see loadRecords): an unchanged batch then reads a fraction of the bytes.
 */
async function loadObjects(
  db: Queryable,
  tenantId: string,
  anchors: string[],
): Promise<Map<string, ObjectRow>> {
  const rows = new Map<string, ObjectRow>();
  for (const part of chunks(anchors, 500)) {
    const found = await db
      .selectFrom('directory_objects')
      .select([
        'tenant_id',
        'anchor',
        'dn',
        'upn',
        'upn_key',
        'display_name',
        'display_name_key',
        'record_hash',
        'eligible',
        'ineligible_reason',
        'state',
        'removed_at',
        'created_at',
        'updated_at',
      ])
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
    for (const row of found) rows.set(row.anchor, { ...row, record: '' });
  }
  return rows;
}

/** Fills in the record JSON of the given loaded objects. */
async function loadRecords(db: Queryable, tenantId: string, objects: ObjectRow[]): Promise<void> {
  const byAnchor = new Map(objects.map((object) => [object.anchor, object]));
  for (const part of chunks([...byAnchor.keys()], 500)) {
    const found = await db
      .selectFrom('directory_objects')
      .select(['anchor', 'record'])
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
    for (const row of found) {
      const object = byAnchor.get(row.anchor);
      if (object !== undefined) object.record = row.record;
    }
  }
}

async function writeObjects(db: Queryable, rows: readonly ObjectRow[]): Promise<void> {
  for (const part of chunks(rows, 500)) {
    await db
      .insertInto('directory_objects')
      .values(part)
      .onConflict((oc) =>
        oc.columns(['tenant_id', 'anchor']).doUpdateSet((eb) => ({
          dn: eb.ref('excluded.dn'),
          upn: eb.ref('excluded.upn'),
          upn_key: eb.ref('excluded.upn_key'),
          display_name: eb.ref('excluded.display_name'),
          display_name_key: eb.ref('excluded.display_name_key'),
          record: eb.ref('excluded.record'),
          record_hash: eb.ref('excluded.record_hash'),
          eligible: eb.ref('excluded.eligible'),
          ineligible_reason: eb.ref('excluded.ineligible_reason'),
          state: eb.ref('excluded.state'),
          removed_at: eb.ref('excluded.removed_at'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

export interface ChangedObject {
  row: ObjectRow;
  previous: ObjectRow | undefined;
  record: DirectoryUserRecord;
}

export interface RecordsOutcome {
  results: ObjectResult[];
  /** Anchors of records that were valid (stored or unchanged). */
  acceptedAnchors: string[];
  /** Objects that changed and were stored. */
  changed: ChangedObject[];
}

/** Checks each record and splits off duplicates of an anchor within the batch. */
function screenRecords(
  records: readonly DirectoryUserRecord[],
  results: ObjectResult[],
): DirectoryUserRecord[] {
  const seen = new Set<string>();
  const valid: DirectoryUserRecord[] = [];
  for (const record of records) {
    const problem = checkRecord(record);
    if (problem === null && seen.has(record.anchor)) {
      results.push({
        anchor: record.anchor,
        status: 'rejected',
        code: 'UP_HOSTED_RECORD_INVALID',
        attribute: 'anchor',
        message: `Object ${record.anchor}: the anchor appears more than once in the batch.`,
      });
      continue;
    }
    if (problem !== null) {
      results.push({ anchor: String(record.anchor), status: 'rejected', ...problem });
      continue;
    }
    seen.add(record.anchor);
    valid.push(record);
  }
  return valid;
}

/**
 * The activity entry of a stored object. A creation records the identifying attributes only,
 * because the whole record is the object itself; an update records every changed attribute.
 */
function objectActivity(tenantId: string, change: ChangedObject, actor: Actor): ActivityInput {
  const { record, row, previous } = change;
  const entry = { tenantId, actor, objectType: 'directory-object', objectId: row.anchor };
  const eligibility = { eligible: row.eligible === 1, reason: row.ineligible_reason };
  if (previous === undefined) {
    const after = {
      dn: record.dn,
      userPrincipalName: record.userPrincipalName,
      displayName: record.displayName,
      enabled: record.enabled,
      ...eligibility,
    };
    return { ...entry, action: 'object.created', after };
  }
  const before = {
    ...recordOf(previous),
    eligible: previous.eligible === 1,
    reason: previous.ineligible_reason,
    state: previous.state,
  };
  const diff = changedValues(before, { ...record, ...eligibility, state: row.state });
  const action = previous.state === 'removed' ? 'object.returned' : 'object.updated';
  return { ...entry, action, ...diff };
}

/** Applies the records of a batch; every read and write covers the whole batch at once. */
export async function applyRecords(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  records: readonly DirectoryUserRecord[],
  domainKeys: ReadonlySet<string>,
  actor: Actor,
): Promise<RecordsOutcome> {
  const results: ObjectResult[] = [];
  const valid = screenRecords(records, results);
  const existing = await loadObjects(
    trx,
    tenantId,
    valid.map((r) => r.anchor),
  );
  const now = context.clock.now().toISOString();

  const changed: ChangedObject[] = [];
  const unchanged: ObjectResult[] = [];
  for (const record of valid) {
    const json = canonicalJson(record);
    const hash = recordHash(json);
    const previous = existing.get(record.anchor);
    if (previous !== undefined && previous.record_hash === hash && previous.state === 'present') {
      unchanged.push({
        anchor: record.anchor,
        status: 'unchanged',
        eligible: previous.eligible === 1,
        reason: previous.ineligible_reason as IneligibleReason | null,
      });
      continue;
    }
    const eligibility = evaluateEligibility(record.userPrincipalName, domainKeys);
    const row: ObjectRow = {
      tenant_id: tenantId,
      anchor: record.anchor,
      dn: record.dn,
      upn: record.userPrincipalName,
      upn_key: keyOrNull(record.userPrincipalName),
      display_name: record.displayName,
      display_name_key: keyOrNull(record.displayName),
      record: json,
      record_hash: hash,
      eligible: flag(eligibility.eligible),
      ineligible_reason: eligibility.reason,
      state: 'present',
      removed_at: null,
      created_at: previous?.created_at ?? now,
      updated_at: now,
    };
    changed.push({ row, previous, record });
  }

  await loadRecords(
    trx,
    tenantId,
    changed.flatMap((change) => (change.previous === undefined ? [] : [change.previous])),
  );
  const plan = await planMailboxWrites(context, trx, tenantId, changed, domainKeys);
  const stored = changed.filter((change) => !plan.rejected.has(change.row.anchor));
  await writeObjects(
    trx,
    stored.map((change) => change.row),
  );
  await plan.write();
  await recordActivity(
    context,
    trx,
    stored.map((change) => objectActivity(tenantId, change, actor)),
  );

  for (const change of changed) {
    const rejection = plan.rejected.get(change.row.anchor);
    results.push(
      rejection !== undefined
        ? { anchor: change.row.anchor, status: 'rejected', ...rejection }
        : {
            anchor: change.row.anchor,
            status: change.previous === undefined ? 'created' : 'updated',
            eligible: change.row.eligible === 1,
            reason: change.row.ineligible_reason as IneligibleReason | null,
            mailboxId: plan.mailboxOf.get(change.row.anchor) ?? null,
          },
    );
  }
  results.push(...unchanged);
  return {
    results,
    acceptedAnchors: [...unchanged.map((r) => r.anchor), ...stored.map((c) => c.row.anchor)],
    changed: stored,
  };
}
