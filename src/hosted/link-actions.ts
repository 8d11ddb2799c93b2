/** Autolink and Autocreate inside a transaction, for the admin actions and standing policies. */
import { chunks, newId, type HostedContext, type Queryable } from './context.ts';
import { linkInTransaction, type ObjectRow } from './link-core.ts';
import { matchAutolink, type MailboxCandidate, type ObjectCandidate } from './autolink.ts';
import { emptyProfile, loadAddresses, type MailboxRow } from './mailbox-model.ts';
import type { Actor, AutocreateResult, AutolinkResult } from './types.ts';

/** Unlinked, present, eligible objects; all of them or those with the given anchors. */
async function loadUnlinkedObjects(
  db: Queryable,
  tenantId: string,
  filter?: { column: 'anchor' | 'upn_key' | 'display_name_key'; values: string[] },
): Promise<ObjectRow[]> {
  const base = () =>
    db
      .selectFrom('directory_objects')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'present')
      .where('eligible', '=', 1)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('mailboxes')
              .select('id')
              .where('mailboxes.tenant_id', '=', tenantId)
              .whereRef('mailboxes.linked_anchor', '=', 'directory_objects.anchor'),
          ),
        ),
      );
  if (filter === undefined) return base().execute();
  const rows: ObjectRow[] = [];
  for (const part of chunks([...new Set(filter.values)], 500)) {
    rows.push(...(await base().where(filter.column, 'in', part).execute()));
  }
  return rows;
}

async function toMailboxCandidates(
  db: Queryable,
  tenantId: string,
  rows: readonly MailboxRow[],
): Promise<MailboxCandidate[]> {
  const addresses = await loadAddresses(
    db,
    tenantId,
    rows.map((row) => row.id),
  );
  return rows.map((row) => ({
    id: row.id,
    addressKeys: (addresses.get(row.id) ?? []).map((a) => a.address_key),
    displayName: row.display_name,
    displayNameKey: row.display_name_key,
  }));
}

function toObjectCandidate(row: ObjectRow): ObjectCandidate {
  return {
    anchor: row.anchor,
    upn: row.upn,
    upnKey: row.upn_key,
    displayName: row.display_name,
    displayNameKey: row.display_name_key,
  };
}

/** Unlinked, not deleted mailboxes that hold one of the address keys or display names. */
async function loadMatchingMailboxes(
  db: Queryable,
  tenantId: string,
  addressKeys: string[],
  nameKeys: string[],
): Promise<MailboxRow[]> {
  const byId = new Map<string, MailboxRow>();
  const base = () =>
    db
      .selectFrom('mailboxes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('linked_anchor', 'is', null)
      .where('deleted_at', 'is', null);
  for (const part of chunks([...new Set(addressKeys)], 500)) {
    const holders = db
      .selectFrom('mailbox_addresses')
      .select('mailbox_id')
      .where('tenant_id', '=', tenantId)
      .where('address_key', 'in', part);
    for (const row of await base().where('id', 'in', holders).execute()) byId.set(row.id, row);
  }
  for (const part of chunks([...new Set(nameKeys)], 500)) {
    for (const row of await base().where('display_name_key', 'in', part).execute()) {
      byId.set(row.id, row);
    }
  }
  return [...byId.values()];
}

/**
 * Computes Autolink over the whole tenant, or around the given anchors. In the second case the
 * candidates are those objects, the mailboxes they could match, and every other unlinked object
 * that competes for the same UPN or display name. Uniqueness is so judged over the whole tenant.
 */
export async function computeAutolink(
  db: Queryable,
  tenantId: string,
  anchors?: string[],
): Promise<{ result: AutolinkResult; objects: Map<string, ObjectRow> }> {
  let objects: ObjectRow[];
  let mailboxes: MailboxRow[];
  if (anchors === undefined) {
    objects = await loadUnlinkedObjects(db, tenantId);
    mailboxes = await db
      .selectFrom('mailboxes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('linked_anchor', 'is', null)
      .where('deleted_at', 'is', null)
      .execute();
  } else {
    const seeds = await loadUnlinkedObjects(db, tenantId, { column: 'anchor', values: anchors });
    const names = seeds.flatMap((o) => (o.display_name_key === null ? [] : [o.display_name_key]));
    const upns = seeds.flatMap((o) => (o.upn_key === null ? [] : [o.upn_key]));
    mailboxes = await loadMatchingMailboxes(db, tenantId, upns, names);
    const candidates = await toMailboxCandidates(db, tenantId, mailboxes);
    const rivals = [
      ...(await loadUnlinkedObjects(db, tenantId, {
        column: 'upn_key',
        values: candidates.flatMap((m) => m.addressKeys),
      })),
      ...(await loadUnlinkedObjects(db, tenantId, {
        column: 'display_name_key',
        values: [
          ...names,
          ...candidates.flatMap((m) => (m.displayNameKey === null ? [] : [m.displayNameKey])),
        ],
      })),
    ];
    objects = [...new Map([...seeds, ...rivals].map((o) => [o.anchor, o])).values()];
  }
  const candidates = await toMailboxCandidates(db, tenantId, mailboxes);
  const result = matchAutolink(objects.map(toObjectCandidate), candidates);
  return { result, objects: new Map(objects.map((o) => [o.anchor, o])) };
}

/** Links the pairs of an Autolink result; returns the pairs that were linked. */
export async function linkPairs(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  computed: { result: AutolinkResult; objects: Map<string, ObjectRow> },
  actor: Actor,
): Promise<AutolinkResult> {
  const linked: AutolinkResult = { pairs: [], ambiguities: computed.result.ambiguities };
  for (const pair of computed.result.pairs) {
    const object = computed.objects.get(pair.anchor);
    const mailbox = await trx
      .selectFrom('mailboxes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', pair.mailboxId)
      .executeTakeFirst();
    if (object === undefined || mailbox === undefined) continue;
    const failure = await linkInTransaction(
      context,
      trx,
      object,
      mailbox,
      actor,
      `autolink-${pair.by}`,
    );
    if (failure === null) linked.pairs.push(pair);
  }
  return linked;
}

/** Creates a linked mailbox for each given unlinked, eligible object. */
export async function autocreateObjects(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  objects: readonly ObjectRow[],
  actor: Actor,
): Promise<AutocreateResult> {
  const result: AutocreateResult = { created: [], skipped: [] };
  const now = context.clock.now().toISOString();
  for (const object of objects) {
    const blank: MailboxRow = {
      id: newId(),
      tenant_id: tenantId,
      upn: object.upn ?? '',
      upn_key: object.upn_key ?? '',
      display_name: null,
      display_name_key: null,
      profile: JSON.stringify(emptyProfile()),
      enabled: 1,
      account_expires: null,
      password_hash: null,
      password_set_at: null,
      linked_anchor: null,
      linked_at: null,
      former_anchor: null,
      deleted_at: null,
      purge_after: null,
      created_at: now,
      updated_at: now,
    };
    const failure = await linkInTransaction(context, trx, object, blank, actor, 'autocreate');
    if (failure === null) result.created.push({ anchor: object.anchor, mailboxId: blank.id });
    else
      result.skipped.push({ anchor: object.anchor, code: failure.code, message: failure.message });
  }
  return result;
}

export { loadUnlinkedObjects };
