/**
 * Mailbox rows: mapping to the public type, the values a linked directory object imposes, and
 * the set-based writes of mailboxes and their addresses that batches, links and the panel share.
 */
import type { Selectable } from 'kysely';
import type { DirectoryUserRecord } from '../protocol/records.ts';
import type { MailboxAddressesTable, MailboxesTable } from '../store/schema.ts';
import { chunks, flag, type Queryable } from './context.ts';
import { domainKeyOf, keyOf, keyOrNull } from './keys.ts';
import {
  mailboxProfileFields,
  type Mailbox,
  type MailboxProfile,
  type PasswordStatus,
} from './types.ts';

export type MailboxRow = Selectable<MailboxesTable>;
export type AddressRow = Selectable<MailboxAddressesTable>;

export interface MailboxAddress {
  address: string;
  key: string;
  isPrimary: boolean;
}

/** The values of a mailbox that a linked directory object owns. */
export interface SynchronizedValues {
  upn: string;
  displayName: string | null;
  profile: MailboxProfile;
  enabled: boolean;
  accountExpires: string | null;
  addresses: MailboxAddress[];
}

export function emptyProfile(): MailboxProfile {
  const profile = {} as Record<keyof MailboxProfile, string | null>;
  for (const field of mailboxProfileFields) profile[field] = null;
  return profile;
}

export function parseProfile(text: string): MailboxProfile {
  return { ...emptyProfile(), ...(JSON.parse(text) as Partial<MailboxProfile>) };
}

/**
 * The addresses of a mailbox: the UPN as primary, then the other addresses whose domain is
 * registered, once each by key.
 */
export function mailboxAddresses(
  upn: string,
  others: readonly string[],
  domainKeys: ReadonlySet<string>,
): MailboxAddress[] {
  const addresses: MailboxAddress[] = [{ address: upn, key: keyOf(upn), isPrimary: true }];
  const seen = new Set([keyOf(upn)]);
  for (const address of others) {
    const key = keyOf(address);
    const domainKey = domainKeyOf(address);
    if (seen.has(key) || domainKey === null || !domainKeys.has(domainKey)) continue;
    seen.add(key);
    addresses.push({ address, key, isPrimary: false });
  }
  return addresses;
}

/** The values an eligible record imposes on its linked mailbox. */
export function valuesFromRecord(
  record: DirectoryUserRecord,
  domainKeys: ReadonlySet<string>,
): SynchronizedValues {
  const upn = record.userPrincipalName ?? '';
  const profile = emptyProfile();
  for (const field of mailboxProfileFields) profile[field] = record[field];

  const others = [
    ...(record.primarySmtpAddress === null ? [] : [record.primarySmtpAddress]),
    ...(record.mail === null ? [] : [record.mail]),
    ...record.secondarySmtpAddresses,
  ];
  return {
    upn,
    displayName: record.displayName,
    profile,
    enabled: record.enabled,
    // Fixed-width ISO text, so sign-in compares it with the clock as text on both engines.
    accountExpires:
      record.accountExpires === null ? null : new Date(record.accountExpires).toISOString(),
    addresses: mailboxAddresses(upn, others, domainKeys),
  };
}

/** A mailbox row with the synchronized values applied. */
export function applyValues(row: MailboxRow, values: SynchronizedValues, now: string): MailboxRow {
  return {
    ...row,
    upn: values.upn,
    upn_key: keyOf(values.upn),
    display_name: values.displayName,
    display_name_key: keyOrNull(values.displayName),
    profile: JSON.stringify(values.profile),
    enabled: flag(values.enabled),
    account_expires: values.accountExpires,
    updated_at: now,
  };
}

/** Tells whether applying the values would change the row or its addresses. */
export function valuesDiffer(
  row: MailboxRow,
  addresses: readonly AddressRow[],
  values: SynchronizedValues,
): boolean {
  const next = applyValues(row, values, row.updated_at);
  const fields = ['upn', 'display_name', 'profile', 'enabled', 'account_expires'] as const;
  if (fields.some((field) => next[field] !== row[field])) return true;
  const current = addresses.map((a) => `${a.address}|${a.is_primary}`).sort();
  const wanted = values.addresses.map((a) => `${a.address}|${flag(a.isPrimary)}`).sort();
  return current.join('\n') !== wanted.join('\n');
}

export function toMailbox(
  row: MailboxRow,
  addresses: readonly AddressRow[],
  password: PasswordStatus,
): Mailbox {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    upn: row.upn,
    primaryAddress: row.upn,
    otherAddresses: addresses.filter((a) => a.is_primary === 0).map((a) => a.address),
    displayName: row.display_name,
    profile: parseProfile(row.profile),
    enabled: row.enabled === 1,
    accountExpires: row.account_expires,
    linkedAnchor: row.linked_anchor,
    linkedAt: row.linked_at,
    deletedAt: row.deleted_at,
    purgeAfter: row.purge_after,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    password,
  };
}

/** The activity view of a mailbox: its visible values, never its password hash. */
export function mailboxSnapshot(
  row: MailboxRow,
  addresses: readonly string[],
): Record<string, unknown> {
  return {
    upn: row.upn,
    displayName: row.display_name,
    otherAddresses: addresses,
    profile: parseProfile(row.profile),
    enabled: row.enabled === 1,
    accountExpires: row.account_expires,
    linkedAnchor: row.linked_anchor,
    deletedAt: row.deleted_at,
  };
}

export async function loadMailboxRows(
  db: Queryable,
  tenantId: string,
  column: 'id' | 'linked_anchor' | 'former_anchor',
  values: readonly string[],
): Promise<MailboxRow[]> {
  const rows: MailboxRow[] = [];
  for (const part of chunks(values, 500)) {
    rows.push(
      ...(await db
        .selectFrom('mailboxes')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where(column, 'in', part)
        .execute()),
    );
  }
  return rows;
}

/** Loads the addresses of the given mailboxes, by mailbox id. */
export async function loadAddresses(
  db: Queryable,
  tenantId: string,
  mailboxIds: readonly string[],
): Promise<Map<string, AddressRow[]>> {
  const byMailbox = new Map<string, AddressRow[]>(mailboxIds.map((id) => [id, []]));
  for (const part of chunks(mailboxIds, 500)) {
    const rows = await db
      .selectFrom('mailbox_addresses')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('mailbox_id', 'in', part)
      .orderBy('is_primary', 'desc')
      .orderBy('address_key')
      .execute();
    for (const row of rows) byMailbox.get(row.mailbox_id)?.push(row);
  }
  return byMailbox;
}

/** Finds which of the address keys a mailbox has: key to mailbox id. */
export async function findAddressHolders(
  db: Queryable,
  tenantId: string,
  keys: readonly string[],
): Promise<Map<string, string>> {
  const holders = new Map<string, string>();
  for (const part of chunks([...new Set(keys)], 500)) {
    const rows = await db
      .selectFrom('mailbox_addresses')
      .select(['address_key', 'mailbox_id'])
      .where('tenant_id', '=', tenantId)
      .where('address_key', 'in', part)
      .execute();
    for (const row of rows) holders.set(row.address_key, row.mailbox_id);
  }
  return holders;
}

/** Inserts or overwrites whole mailbox rows, many per statement. */
export async function writeMailboxRows(db: Queryable, rows: readonly MailboxRow[]): Promise<void> {
  for (const part of chunks(rows, 100)) {
    await db
      .insertInto('mailboxes')
      .values(part)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          upn: eb.ref('excluded.upn'),
          upn_key: eb.ref('excluded.upn_key'),
          display_name: eb.ref('excluded.display_name'),
          display_name_key: eb.ref('excluded.display_name_key'),
          profile: eb.ref('excluded.profile'),
          enabled: eb.ref('excluded.enabled'),
          account_expires: eb.ref('excluded.account_expires'),
          password_hash: eb.ref('excluded.password_hash'),
          password_set_at: eb.ref('excluded.password_set_at'),
          linked_anchor: eb.ref('excluded.linked_anchor'),
          linked_at: eb.ref('excluded.linked_at'),
          former_anchor: eb.ref('excluded.former_anchor'),
          deleted_at: eb.ref('excluded.deleted_at'),
          purge_after: eb.ref('excluded.purge_after'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}

/** Replaces the addresses of the given mailboxes. Deletes first, so mailboxes may swap them. */
export async function replaceAddresses(
  db: Queryable,
  tenantId: string,
  addressesByMailbox: ReadonlyMap<string, readonly MailboxAddress[]>,
): Promise<void> {
  const ids = [...addressesByMailbox.keys()];
  for (const part of chunks(ids, 500)) {
    await db
      .deleteFrom('mailbox_addresses')
      .where('tenant_id', '=', tenantId)
      .where('mailbox_id', 'in', part)
      .execute();
  }
  const rows = [...addressesByMailbox].flatMap(([mailboxId, addresses]) =>
    addresses.map((a) => ({
      tenant_id: tenantId,
      mailbox_id: mailboxId,
      address: a.address,
      address_key: a.key,
      is_primary: flag(a.isPrimary),
    })),
  );
  for (const part of chunks(rows, 500)) {
    await db.insertInto('mailbox_addresses').values(part).execute();
  }
}

/** Loads the synchronized-password status of the given anchors, by anchor. */
export async function passwordStatuses(
  db: Queryable,
  tenantId: string,
  anchors: readonly string[],
): Promise<Map<string, PasswordStatus>> {
  const statuses = new Map<string, PasswordStatus>();
  for (const part of chunks([...new Set(anchors)], 500)) {
    const rows = await db
      .selectFrom('object_passwords')
      .select(['anchor', 'pwd_last_set', 'received_at'])
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
    for (const row of rows) {
      statuses.set(row.anchor, {
        synchronized: true,
        pwdLastSet: row.pwd_last_set,
        receivedAt: row.received_at,
      });
    }
  }
  return statuses;
}

/** Loads mailboxes as the public type, in the order of the rows given. */
export async function toMailboxes(
  db: Queryable,
  tenantId: string,
  rows: readonly MailboxRow[],
): Promise<Mailbox[]> {
  const addresses = await loadAddresses(
    db,
    tenantId,
    rows.map((row) => row.id),
  );
  const anchors = rows.flatMap((row) => (row.linked_anchor === null ? [] : [row.linked_anchor]));
  const passwords = await passwordStatuses(db, tenantId, anchors);
  return rows.map((row) =>
    toMailbox(
      row,
      addresses.get(row.id) ?? [],
      (row.linked_anchor === null ? undefined : passwords.get(row.linked_anchor)) ?? {
        synchronized: false,
      },
    ),
  );
}
