/**
 * The mailbox side of a batch: linked mailboxes take their objects' values (rule: one way, AD
 * wins), and mailboxes of objects that come back into the scope are relinked. Address
 * conflicts reject the object alone and leave its mailbox as it was.
 */
import { recordActivity, type ActivityInput } from './activity.ts';
import type { HostedContext, Queryable } from './context.ts';
import { keyOf } from './keys.ts';
import type { ChangedObject } from './batch-records.ts';
import {
  applyValues,
  findAddressHolders,
  loadAddresses,
  loadMailboxRows,
  mailboxSnapshot,
  replaceAddresses,
  valuesDiffer,
  valuesFromRecord,
  writeMailboxRows,
  type MailboxAddress,
  type MailboxRow,
  type SynchronizedValues,
} from './mailbox-model.ts';
import type { DirectoryUserRecord } from '../protocol/records.ts';
import type { ErrorCode } from '../protocol/errors.ts';

export interface ObjectRejection {
  code: ErrorCode;
  attribute: string;
  message: string;
}

export interface MailboxPlan {
  rejected: Map<string, ObjectRejection>;
  /** The mailbox each changed object is linked to after the batch. */
  mailboxOf: Map<string, string>;
  write(): Promise<void>;
}

interface Planned {
  anchor: string;
  record: DirectoryUserRecord;
  mailbox: MailboxRow;
  values: SynchronizedValues;
  relink: boolean;
}

/** Names the record attribute an address came from, for the rejection message. */
function attributeOf(record: DirectoryUserRecord, key: string): string {
  if (record.userPrincipalName !== null && keyOf(record.userPrincipalName) === key)
    return 'userPrincipalName';
  if (record.primarySmtpAddress !== null && keyOf(record.primarySmtpAddress) === key)
    return 'primarySmtpAddress';
  if (record.mail !== null && keyOf(record.mail) === key) return 'mail';
  return 'secondarySmtpAddresses';
}

/**
 * Drops planned writes whose addresses another mailbox keeps, until none is left. A mailbox
 * whose addresses are rewritten in this batch frees its old ones, so two mailboxes may swap.
 */
function resolveConflicts(
  planned: Planned[],
  holders: ReadonlyMap<string, string>,
  rejected: Map<string, ObjectRejection>,
): Planned[] {
  let accepted = planned;
  for (;;) {
    const writing = new Set(accepted.map((p) => p.mailbox.id));
    const claimed = new Map<string, string>();
    const next: Planned[] = [];
    for (const plan of accepted) {
      const clash = plan.values.addresses.find((a: MailboxAddress) => {
        const holder = holders.get(a.key);
        const keptByOther =
          holder !== undefined && holder !== plan.mailbox.id && !writing.has(holder);
        const claimedByOther = claimed.has(a.key) && claimed.get(a.key) !== plan.mailbox.id;
        return keptByOther || claimedByOther;
      });
      if (clash === undefined) {
        for (const a of plan.values.addresses) claimed.set(a.key, plan.mailbox.id);
        next.push(plan);
        continue;
      }
      const attribute = attributeOf(plan.record, clash.key);
      rejected.set(plan.anchor, {
        code: 'UP_HOSTED_ADDRESS_TAKEN',
        attribute,
        message: `Object ${plan.anchor}: attribute ${attribute} value ${clash.address} is already an address of another mailbox of the tenant.`,
      });
    }
    if (next.length === accepted.length) return next;
    accepted = next;
  }
}

/** Plans the mailbox writes of a batch's changed objects; `write()` performs them. */
export async function planMailboxWrites(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  changed: readonly ChangedObject[],
  domainKeys: ReadonlySet<string>,
): Promise<MailboxPlan> {
  const rejected = new Map<string, ObjectRejection>();
  const mailboxOf = new Map<string, string>();
  const linked = await loadMailboxRows(
    trx,
    tenantId,
    'linked_anchor',
    changed.map((c) => c.row.anchor),
  );
  // A mailbox remembers the anchor of an object that left the scope. The object is relinked
  // when it comes back, or later, at its first change that finds it eligible.
  const linkedAnchors = new Set(linked.map((m) => m.linked_anchor));
  const returning = changed.map((c) => c.row.anchor).filter((anchor) => !linkedAnchors.has(anchor));
  const former = (await loadMailboxRows(trx, tenantId, 'former_anchor', returning)).filter(
    (m) => m.linked_anchor === null,
  );
  const byAnchor = new Map<string, { mailbox: MailboxRow; relink: boolean }>();
  for (const mailbox of former)
    byAnchor.set(mailbox.former_anchor ?? '', { mailbox, relink: true });
  for (const mailbox of linked)
    byAnchor.set(mailbox.linked_anchor ?? '', { mailbox, relink: false });

  const planned: Planned[] = [];
  for (const change of changed) {
    const target = byAnchor.get(change.row.anchor);
    if (target === undefined) continue;
    if (!target.relink) mailboxOf.set(change.row.anchor, target.mailbox.id);
    if (change.row.eligible !== 1) continue;
    planned.push({
      anchor: change.row.anchor,
      record: change.record,
      mailbox: target.mailbox,
      values: valuesFromRecord(change.record, domainKeys),
      relink: target.relink,
    });
  }
  if (planned.length === 0) return { rejected, mailboxOf, write: () => Promise.resolve() };

  const holders = await findAddressHolders(
    trx,
    tenantId,
    planned.flatMap((p) => p.values.addresses.map((a) => a.key)),
  );
  const accepted = resolveConflicts(planned, holders, rejected);
  for (const plan of accepted) mailboxOf.set(plan.anchor, plan.mailbox.id);
  for (const anchor of rejected.keys()) mailboxOf.delete(anchor);

  const write = async () => {
    const current = await loadAddresses(
      trx,
      tenantId,
      accepted.map((p) => p.mailbox.id),
    );
    const now = context.clock.now().toISOString();
    const rows: MailboxRow[] = [];
    const addresses = new Map<string, MailboxAddress[]>();
    const activity: ActivityInput[] = [];
    for (const plan of accepted) {
      const before = current.get(plan.mailbox.id) ?? [];
      if (!plan.relink && !valuesDiffer(plan.mailbox, before, plan.values)) continue;
      const next: MailboxRow = { ...applyValues(plan.mailbox, plan.values, now) };
      if (plan.relink) {
        Object.assign(next, {
          linked_anchor: plan.anchor,
          linked_at: now,
          former_anchor: null,
          deleted_at: null,
          purge_after: null,
        });
      }
      rows.push(next);
      addresses.set(plan.mailbox.id, plan.values.addresses);
      activity.push({
        tenantId,
        actor: { kind: 'system' },
        action: plan.relink ? 'mailbox.relinked' : 'mailbox.synchronized',
        objectType: 'mailbox',
        objectId: plan.mailbox.id,
        before: mailboxSnapshot(
          plan.mailbox,
          before.filter((a) => a.is_primary === 0).map((a) => a.address),
        ),
        after: mailboxSnapshot(
          next,
          plan.values.addresses.slice(1).map((a) => a.address),
        ),
      });
    }
    await writeMailboxRows(trx, rows);
    await replaceAddresses(trx, tenantId, addresses);
    await recordActivity(context, trx, activity);
  };
  return { rejected, mailboxOf, write };
}
