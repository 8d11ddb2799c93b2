/** Relinking a mailbox to the object it was linked to before that object left the scope. */
import type { HostedContext, Queryable } from './context.ts';
import { linkInTransaction } from './link-core.ts';
import type { MailboxRow } from './mailbox-model.ts';
import type { Actor } from './types.ts';

/**
 * Relinks a restored mailbox when its former object is present, eligible and unlinked.
 * Returns whether it did.
 */
export async function relinkFormerObject(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  mailbox: MailboxRow,
  actor: Actor,
): Promise<boolean> {
  if (mailbox.former_anchor === null || mailbox.linked_anchor !== null) return false;
  const object = await trx
    .selectFrom('directory_objects')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('anchor', '=', mailbox.former_anchor)
    .executeTakeFirst();
  if (object === undefined) return false;
  const taken = await trx
    .selectFrom('mailboxes')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('linked_anchor', '=', object.anchor)
    .executeTakeFirst();
  if (taken !== undefined) return false;
  return (await linkInTransaction(context, trx, object, mailbox, actor, 'relink')) === null;
}
