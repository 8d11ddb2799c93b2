/** Mailboxes: create, edit (rule: a linked mailbox's synchronized fields belong to AD), list. */
import { sql } from 'kysely';
import { changedValues, recordActivity } from './activity.ts';
import type { MailboxApi } from './api.ts';
import {
  addMilliseconds,
  flag,
  inTransaction,
  newId,
  nowText,
  rejectOnUniqueViolation,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import { loadDomainKeys } from './eligibility.ts';
import { keyOf, keyOrNull } from './keys.ts';
import {
  checkAddresses,
  checkLength,
  checkPasswordLength,
  checkProfile,
  rejectTakenAddresses,
} from './mailbox-input.ts';
import {
  emptyProfile,
  findAddressHolders,
  loadAddresses,
  mailboxSnapshot,
  parseProfile,
  replaceAddresses,
  toMailboxes,
  writeMailboxRows,
  type MailboxRow,
} from './mailbox-model.ts';
import { decodeCursor, encodeCursor, likePattern, pageLimit, pageOffset } from './paging.ts';
import { loadPolicies } from './policies.ts';
import { relinkFormerObject } from './relink.ts';
import type {
  Actor,
  Mailbox,
  MailboxInput,
  MailboxListQuery,
  MailboxPatch,
  Page,
} from './types.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** The rejection of an address another instance gave to a mailbox between check and write. */
function addressRace() {
  return rejection(
    'UP_HOSTED_ADDRESS_TAKEN',
    'Another mailbox of the tenant took one of the addresses at the same time.',
    'Reload the mailbox and try again.',
  );
}

/** Loads one mailbox row of the tenant or throws UP_HOSTED_MAILBOX_NOT_FOUND. */
export async function requireMailboxRow(
  db: Queryable,
  tenantId: string,
  mailboxId: string,
): Promise<MailboxRow> {
  const row = await db
    .selectFrom('mailboxes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', mailboxId)
    .executeTakeFirst();
  if (row === undefined) {
    throw rejection(
      'UP_HOSTED_MAILBOX_NOT_FOUND',
      `The tenant has no mailbox with the id ${mailboxId}.`,
      undefined,
      { mailboxId },
    );
  }
  return row;
}

/** Lists the fields of a patch that change a synchronized value of the row. */
function synchronizedChanges(row: MailboxRow, others: string[], patch: MailboxPatch): string[] {
  const changed: string[] = [];
  if (patch.upn !== undefined && patch.upn !== row.upn) changed.push('upn');
  if (patch.displayName !== undefined && patch.displayName !== row.display_name) {
    changed.push('displayName');
  }
  if (patch.enabled !== undefined && flag(patch.enabled) !== row.enabled) changed.push('enabled');
  if (patch.otherAddresses !== undefined && patch.otherAddresses.join('\n') !== others.join('\n')) {
    changed.push('otherAddresses');
  }
  if (patch.profile !== undefined) {
    const profile = parseProfile(row.profile);
    for (const [field, value] of Object.entries(patch.profile)) {
      if (value !== undefined && profile[field as keyof typeof profile] !== value) {
        changed.push(`profile.${field}`);
      }
    }
  }
  if (patch.password !== undefined) changed.push('password');
  return changed;
}

export class MailboxService implements MailboxApi {
  constructor(private readonly context: HostedContext) {}

  async create(tenantId: string, input: MailboxInput, actor: Actor): Promise<Mailbox> {
    const db = this.context.store.db;
    const policies = await loadPolicies(db, tenantId);
    const domainKeys = await loadDomainKeys(db, tenantId);
    const addresses = checkAddresses(input.upn, input.otherAddresses ?? [], domainKeys);
    const displayName = input.displayName ?? null;
    checkLength('displayName', displayName, 256);
    checkProfile(input.profile ?? {});
    if (input.password !== undefined)
      checkPasswordLength(input.password, policies.passwordMinLength);

    const now = nowText(this.context);
    const upn = addresses[0]?.address ?? input.upn;
    const row: MailboxRow = {
      id: newId(),
      tenant_id: tenantId,
      upn,
      upn_key: keyOf(upn),
      display_name: displayName,
      display_name_key: keyOrNull(displayName),
      profile: JSON.stringify({ ...emptyProfile(), ...input.profile }),
      enabled: flag(input.enabled ?? true),
      account_expires: null,
      password_hash:
        input.password === undefined ? null : await this.context.hasher.hash(input.password),
      password_set_at: input.password === undefined ? null : now,
      linked_anchor: null,
      linked_at: null,
      former_anchor: null,
      deleted_at: null,
      purge_after: null,
      created_at: now,
      updated_at: now,
    };

    const created = inTransaction(this.context, async (trx) => {
      const holders = await findAddressHolders(
        trx,
        tenantId,
        addresses.map((a) => a.key),
      );
      rejectTakenAddresses(addresses, holders, null);
      await writeMailboxRows(trx, [row]);
      await replaceAddresses(trx, tenantId, new Map([[row.id, addresses]]));
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'mailbox.created',
          objectType: 'mailbox',
          objectId: row.id,
          after: mailboxSnapshot(
            row,
            addresses.slice(1).map((a) => a.address),
          ),
        },
      ]);
    });
    await rejectOnUniqueViolation(created, addressRace);
    return this.mustGet(tenantId, row.id);
  }

  async update(
    tenantId: string,
    mailboxId: string,
    patch: MailboxPatch,
    actor: Actor,
  ): Promise<Mailbox> {
    const db = this.context.store.db;
    const policies = await loadPolicies(db, tenantId);
    const domainKeys = await loadDomainKeys(db, tenantId);

    const updated = inTransaction(this.context, async (trx) => {
      const row = await requireMailboxRow(trx, tenantId, mailboxId);
      const current = (await loadAddresses(trx, tenantId, [row.id])).get(row.id) ?? [];
      const others = current.filter((a) => a.is_primary === 0).map((a) => a.address);
      if (row.linked_anchor !== null) {
        const changed = synchronizedChanges(row, others, patch);
        if (changed.length > 0) {
          throw rejection(
            'UP_HOSTED_FIELD_SYNCHRONIZED',
            `The mailbox ${row.upn} is linked to the local AD, so ${changed.join(', ')} cannot be changed here.`,
            'Make the change in the local Active Directory; it reaches the mailbox at the next synchronization.',
            { fields: changed, anchor: row.linked_anchor },
          );
        }
      }
      if (row.deleted_at !== null) {
        throw rejection(
          'UP_HOSTED_MAILBOX_DELETED',
          `The mailbox ${row.upn} is soft-deleted.`,
          'Restore it first.',
        );
      }

      const addresses = checkAddresses(
        patch.upn ?? row.upn,
        patch.otherAddresses ?? others,
        domainKeys,
      );
      const displayName = patch.displayName === undefined ? row.display_name : patch.displayName;
      checkLength('displayName', displayName, 256);
      checkProfile(patch.profile ?? {});
      if (patch.password !== undefined)
        checkPasswordLength(patch.password, policies.passwordMinLength);

      const holders = await findAddressHolders(
        trx,
        tenantId,
        addresses.map((a) => a.key),
      );
      rejectTakenAddresses(addresses, holders, row.id);
      const now = nowText(this.context);
      const upn = addresses[0]?.address ?? row.upn;
      const next: MailboxRow = {
        ...row,
        upn,
        upn_key: keyOf(upn),
        display_name: displayName,
        display_name_key: keyOrNull(displayName),
        profile: JSON.stringify({ ...parseProfile(row.profile), ...patch.profile }),
        enabled: patch.enabled === undefined ? row.enabled : flag(patch.enabled),
        password_hash:
          patch.password === undefined
            ? row.password_hash
            : await this.context.hasher.hash(patch.password),
        password_set_at: patch.password === undefined ? row.password_set_at : now,
        updated_at: now,
      };
      await writeMailboxRows(trx, [next]);
      await replaceAddresses(trx, tenantId, new Map([[row.id, addresses]]));
      const change = changedValues(
        mailboxSnapshot(row, others),
        mailboxSnapshot(
          next,
          addresses.slice(1).map((a) => a.address),
        ),
      );
      const action = patch.password === undefined ? 'mailbox.updated' : 'mailbox.password-set';
      await recordActivity(this.context, trx, [
        { tenantId, actor, action, objectType: 'mailbox', objectId: row.id, ...change },
      ]);
    });
    await rejectOnUniqueViolation(updated, addressRace);
    return this.mustGet(tenantId, mailboxId);
  }

  async get(tenantId: string, mailboxId: string): Promise<Mailbox | null> {
    const db = this.context.store.db;
    const row = await db
      .selectFrom('mailboxes')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', mailboxId)
      .executeTakeFirst();
    if (row === undefined) return null;
    const [mailbox] = await toMailboxes(db, tenantId, [row]);
    return mailbox ?? null;
  }

  async getByAddress(tenantId: string, address: string): Promise<Mailbox | null> {
    const holder = await this.context.store.db
      .selectFrom('mailbox_addresses')
      .select('mailbox_id')
      .where('tenant_id', '=', tenantId)
      .where('address_key', '=', keyOf(address.trim()))
      .executeTakeFirst();
    return holder === undefined ? null : this.get(tenantId, holder.mailbox_id);
  }

  async list(tenantId: string, query: MailboxListQuery = {}): Promise<Page<Mailbox>> {
    const limit = pageLimit(query.limit);
    const offset = pageOffset(query.offset);
    const db = this.context.store.db;
    let select = db.selectFrom('mailboxes').where('tenant_id', '=', tenantId);
    if (query.deleted === true) select = select.where('deleted_at', 'is not', null);
    else if (query.includeDeleted !== true) select = select.where('deleted_at', 'is', null);
    if (query.linked !== undefined) {
      select = select.where('linked_anchor', query.linked ? 'is not' : 'is', null);
    }
    const search = query.search?.trim() ?? '';
    if (search !== '') {
      const pattern = likePattern(keyOf(search));
      select = select.where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref('display_name_key')} like ${pattern} escape '\\'`,
          eb(
            'id',
            'in',
            eb
              .selectFrom('mailbox_addresses')
              .select('mailbox_id')
              .where('tenant_id', '=', tenantId)
              .where(sql<boolean>`address_key like ${pattern} escape '\\'`),
          ),
        ]),
      );
    }
    const total = await select
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();

    if (query.cursor !== undefined) {
      const [upnKey, id] = decodeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([
          eb('upn_key', '>', upnKey),
          eb.and([eb('upn_key', '=', upnKey), eb('id', '>', id)]),
        ]),
      );
    }
    const rows = await select
      .selectAll()
      .orderBy('upn_key')
      .orderBy('id')
      .limit(limit + 1)
      .offset(query.cursor === undefined ? offset : 0)
      .execute();
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      items: await toMailboxes(db, tenantId, pageRows),
      total: Number(total.count),
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.upn_key, last.id]) : null,
    };
  }

  async delete(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox> {
    const policies = await loadPolicies(this.context.store.db, tenantId);
    await inTransaction(this.context, async (trx) => {
      const row = await requireMailboxRow(trx, tenantId, mailboxId);
      if (row.linked_anchor !== null) {
        throw rejection(
          'UP_HOSTED_ALREADY_LINKED',
          `The mailbox ${row.upn} is linked to the local AD.`,
          'Unlink it first, or remove the user from the sync scope in AD.',
          { anchor: row.linked_anchor },
        );
      }
      if (row.deleted_at !== null) return;
      const now = nowText(this.context);
      const next = {
        ...row,
        deleted_at: now,
        purge_after: addMilliseconds(now, policies.softDeleteRetentionDays * dayMs),
        updated_at: now,
      };
      await writeMailboxRows(trx, [next]);
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'mailbox.deleted',
          objectType: 'mailbox',
          objectId: mailboxId,
          after: { deletedAt: now, purgeAfter: next.purge_after },
        },
      ]);
    });
    return this.mustGet(tenantId, mailboxId);
  }

  async restore(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox> {
    await inTransaction(this.context, async (trx) => {
      const row = await requireMailboxRow(trx, tenantId, mailboxId);
      if (row.deleted_at === null) return;
      const now = nowText(this.context);
      const next = { ...row, deleted_at: null, purge_after: null, updated_at: now };
      await writeMailboxRows(trx, [next]);
      await recordActivity(this.context, trx, [
        { tenantId, actor, action: 'mailbox.restored', objectType: 'mailbox', objectId: mailboxId },
      ]);
      await relinkFormerObject(this.context, trx, tenantId, next, actor);
    });
    return this.mustGet(tenantId, mailboxId);
  }

  async purgeExpired(): Promise<number> {
    const now = nowText(this.context);
    return inTransaction(this.context, async (trx) => {
      const rows = await trx
        .selectFrom('mailboxes')
        .select(['id', 'tenant_id', 'upn'])
        .where('deleted_at', 'is not', null)
        .where('purge_after', '<=', now)
        .execute();
      for (const row of rows) {
        await trx.deleteFrom('mailbox_addresses').where('mailbox_id', '=', row.id).execute();
        await trx.deleteFrom('mailboxes').where('id', '=', row.id).execute();
      }
      await recordActivity(
        this.context,
        trx,
        rows.map((row) => ({
          tenantId: row.tenant_id,
          actor: { kind: 'system' } as const,
          action: 'mailbox.purged',
          objectType: 'mailbox',
          objectId: row.id,
          before: { upn: row.upn },
        })),
      );
      return rows.length;
    });
  }

  private async mustGet(tenantId: string, mailboxId: string): Promise<Mailbox> {
    const mailbox = await this.get(tenantId, mailboxId);
    if (mailbox === null) {
      throw rejection(
        'UP_HOSTED_MAILBOX_NOT_FOUND',
        `The tenant has no mailbox with the id ${mailboxId}.`,
      );
    }
    return mailbox;
  }
}
