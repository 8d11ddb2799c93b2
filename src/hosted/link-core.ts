/**
 * Linking and detaching inside a transaction, shared by manual links, Autolink, Autocreate,
 * batches (re-entry and standing policies), removals and mailbox restore.
 */
import type { Selectable } from 'kysely';
import type { DirectoryUserRecord } from '../protocol/records.ts';
import type { DirectoryObjectsTable } from '../store/schema.ts';
import { recordActivity } from './activity.ts';
import { rejection, type HostedContext, type Queryable } from './context.ts';
import { loadDomainKeys } from './eligibility.ts';
import {
  applyValues,
  findAddressHolders,
  loadAddresses,
  mailboxSnapshot,
  replaceAddresses,
  valuesFromRecord,
  writeMailboxRows,
  type MailboxRow,
} from './mailbox-model.ts';
import type { Actor } from './types.ts';
import type { UserPilotError } from '../protocol/errors.ts';

export type ObjectRow = Selectable<DirectoryObjectsTable>;

export function recordOf(row: ObjectRow): DirectoryUserRecord {
  return JSON.parse(row.record) as DirectoryUserRecord;
}

/** Why an object cannot be linked now, or null when it can. */
export function linkBlocker(object: ObjectRow): UserPilotError | null {
  if (object.state !== 'present') {
    return rejection(
      'UP_HOSTED_OBJECT_REMOVED',
      `Object ${object.anchor} has left the sync scope.`,
      'It can be linked again once the agent reports it back.',
      { anchor: object.anchor },
    );
  }
  if (object.eligible !== 1) {
    return rejection(
      'UP_HOSTED_NOT_ELIGIBLE',
      `Object ${object.anchor} is not eligible (${object.ineligible_reason ?? 'unknown'}), so it cannot be linked.`,
      object.ineligible_reason === 'upn-domain-not-registered'
        ? 'Register the domain of its UPN under Domains.'
        : 'Set a UPN of the form user@domain in the local AD.',
      { anchor: object.anchor, reason: object.ineligible_reason },
    );
  }
  return null;
}

/**
 * Links an object to a mailbox and overwrites the mailbox with the object's values. Returns
 * the rejection instead of throwing, so a batch can record it against one object.
 */
export async function linkInTransaction(
  context: HostedContext,
  trx: Queryable,
  object: ObjectRow,
  mailbox: MailboxRow,
  actor: Actor,
  how: string,
): Promise<UserPilotError | null> {
  const blocker = linkBlocker(object);
  if (blocker !== null) return blocker;
  const tenantId = object.tenant_id;
  const values = valuesFromRecord(recordOf(object), await loadDomainKeys(trx, tenantId));
  const holders = await findAddressHolders(
    trx,
    tenantId,
    values.addresses.map((a) => a.key),
  );
  for (const address of values.addresses) {
    const holder = holders.get(address.key);
    if (holder !== undefined && holder !== mailbox.id) {
      return rejection(
        'UP_HOSTED_ADDRESS_TAKEN',
        `Object ${object.anchor}: another mailbox of the tenant has the address ${address.address}.`,
        'Remove the address from the other mailbox or from the AD user.',
        { anchor: object.anchor, attribute: 'userPrincipalName', address: address.address },
      );
    }
  }

  const now = context.clock.now().toISOString();
  const before = (await loadAddresses(trx, tenantId, [mailbox.id])).get(mailbox.id) ?? [];
  const next: MailboxRow = {
    ...applyValues(mailbox, values, now),
    linked_anchor: object.anchor,
    linked_at: now,
    former_anchor: null,
    deleted_at: null,
    purge_after: null,
  };
  await writeMailboxRows(trx, [next]);
  await replaceAddresses(trx, tenantId, new Map([[mailbox.id, values.addresses]]));
  await recordActivity(context, trx, [
    {
      tenantId,
      actor,
      action: 'mailbox.linked',
      objectType: 'mailbox',
      objectId: mailbox.id,
      before: mailboxSnapshot(
        mailbox,
        before.filter((a) => a.is_primary === 0).map((a) => a.address),
      ),
      after: {
        ...mailboxSnapshot(
          next,
          values.addresses.slice(1).map((a) => a.address),
        ),
        how,
      },
    },
  ]);
  return null;
}

export interface DetachOptions {
  /** Set when the object left the scope: remembered so re-entry relinks this mailbox. */
  leftScope: boolean;
  disable: boolean;
  /** Soft-delete until this instant; null keeps the mailbox. */
  purgeAfter: string | null;
}

/**
 * Unlinks a mailbox. It keeps its values and takes over the object's last synchronized password
 * hash, so its own sign-in keeps working if it stays enabled.
 */
export async function detachInTransaction(
  context: HostedContext,
  trx: Queryable,
  mailbox: MailboxRow,
  options: DetachOptions,
  actor: Actor,
): Promise<MailboxRow> {
  const anchor = mailbox.linked_anchor;
  const password =
    anchor === null
      ? undefined
      : await trx
          .selectFrom('object_passwords')
          .select(['password_hash', 'received_at'])
          .where('tenant_id', '=', mailbox.tenant_id)
          .where('anchor', '=', anchor)
          .executeTakeFirst();
  const now = context.clock.now().toISOString();
  const next: MailboxRow = {
    ...mailbox,
    linked_anchor: null,
    linked_at: null,
    former_anchor: options.leftScope ? anchor : null,
    enabled: options.disable ? 0 : mailbox.enabled,
    password_hash: password?.password_hash ?? mailbox.password_hash,
    password_set_at: password?.received_at ?? mailbox.password_set_at,
    deleted_at: options.purgeAfter === null ? mailbox.deleted_at : now,
    purge_after: options.purgeAfter ?? mailbox.purge_after,
    updated_at: now,
  };
  await writeMailboxRows(trx, [next]);
  await recordActivity(context, trx, [
    {
      tenantId: mailbox.tenant_id,
      actor,
      action: options.purgeAfter === null ? 'mailbox.unlinked' : 'mailbox.unlinked-deleted',
      objectType: 'mailbox',
      objectId: mailbox.id,
      before: { linkedAnchor: anchor, enabled: mailbox.enabled === 1 },
      after: {
        linkedAnchor: null,
        enabled: next.enabled === 1,
        leftScope: options.leftScope,
        deletedAt: next.deleted_at,
      },
    },
  ]);
  return next;
}
