/** Manual link and unlink, Autolink and Autocreate as admin actions. */
import { recordActivity } from './activity.ts';
import type { LinkApi } from './api.ts';
import { inTransaction, rejection, type HostedContext } from './context.ts';
import {
  autocreateObjects,
  computeAutolink,
  linkPairs,
  loadUnlinkedObjects,
} from './link-actions.ts';
import { detachInTransaction, linkBlocker, linkInTransaction } from './link-core.ts';
import { requireMailboxRow } from './mailboxes.ts';
import { toMailboxes } from './mailbox-model.ts';
import type { Actor, AutocreateResult, AutolinkResult, Mailbox } from './types.ts';

export class LinkService implements LinkApi {
  constructor(private readonly context: HostedContext) {}

  async link(tenantId: string, anchor: string, mailboxId: string, actor: Actor): Promise<Mailbox> {
    return inTransaction(this.context, async (trx) => {
      const object = await trx
        .selectFrom('directory_objects')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('anchor', '=', anchor.toLowerCase())
        .executeTakeFirst();
      if (object === undefined) {
        throw rejection(
          'UP_HOSTED_OBJECT_NOT_FOUND',
          `The tenant has no directory object ${anchor}.`,
          undefined,
          { anchor },
        );
      }
      const blocker = linkBlocker(object);
      if (blocker !== null) throw blocker;
      const mailbox = await requireMailboxRow(trx, tenantId, mailboxId);
      const holder = await trx
        .selectFrom('mailboxes')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('linked_anchor', '=', object.anchor)
        .executeTakeFirst();
      if (mailbox.linked_anchor !== null || holder !== undefined) {
        throw rejection(
          'UP_HOSTED_ALREADY_LINKED',
          mailbox.linked_anchor !== null
            ? `The mailbox ${mailbox.upn} is already linked to object ${mailbox.linked_anchor}.`
            : `Object ${object.anchor} is already linked to mailbox ${holder?.id ?? ''}.`,
          'Unlink it first.',
        );
      }
      if (mailbox.deleted_at !== null) {
        throw rejection(
          'UP_HOSTED_MAILBOX_DELETED',
          `The mailbox ${mailbox.upn} is soft-deleted.`,
          'Restore it first.',
        );
      }
      const failure = await linkInTransaction(this.context, trx, object, mailbox, actor, 'manual');
      if (failure !== null) throw failure;
      const [linked] = await toMailboxes(trx, tenantId, [
        await requireMailboxRow(trx, tenantId, mailboxId),
      ]);
      if (linked === undefined)
        throw rejection('UP_HOSTED_MAILBOX_NOT_FOUND', `Mailbox ${mailboxId} vanished.`);
      return linked;
    });
  }

  async unlink(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox> {
    return inTransaction(this.context, async (trx) => {
      const mailbox = await requireMailboxRow(trx, tenantId, mailboxId);
      if (mailbox.linked_anchor === null) {
        throw rejection('UP_HOSTED_NOT_LINKED', `The mailbox ${mailbox.upn} is not linked.`);
      }
      const next = await detachInTransaction(
        this.context,
        trx,
        mailbox,
        { leftScope: false, disable: false, purgeAfter: null },
        actor,
      );
      const [unlinked] = await toMailboxes(trx, tenantId, [next]);
      if (unlinked === undefined)
        throw rejection('UP_HOSTED_MAILBOX_NOT_FOUND', `Mailbox ${mailboxId} vanished.`);
      return unlinked;
    });
  }

  async previewAutolink(tenantId: string): Promise<AutolinkResult> {
    return (await computeAutolink(this.context.store.db, tenantId)).result;
  }

  async applyAutolink(tenantId: string, actor: Actor): Promise<AutolinkResult> {
    return inTransaction(this.context, async (trx) => {
      const computed = await computeAutolink(trx, tenantId);
      const linked = await linkPairs(this.context, trx, tenantId, computed, actor);
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'autolink.applied',
          objectType: 'tenant',
          objectId: tenantId,
          after: { linked: linked.pairs.length, ambiguities: linked.ambiguities.length },
        },
      ]);
      return linked;
    });
  }

  async autocreate(
    tenantId: string,
    anchors: string[] | 'all',
    actor: Actor,
  ): Promise<AutocreateResult> {
    return inTransaction(this.context, async (trx) => {
      const objects =
        anchors === 'all'
          ? await loadUnlinkedObjects(trx, tenantId)
          : await loadUnlinkedObjects(trx, tenantId, {
              column: 'anchor',
              values: anchors.map((a) => a.toLowerCase()),
            });
      const result = await autocreateObjects(this.context, trx, tenantId, objects, actor);
      if (anchors !== 'all') {
        const found = new Set(objects.map((o) => o.anchor));
        for (const anchor of anchors) {
          if (!found.has(anchor.toLowerCase())) {
            result.skipped.push({
              anchor,
              code: 'UP_HOSTED_NOT_ELIGIBLE',
              message: `Object ${anchor} is unknown, linked already, removed or not eligible.`,
            });
          }
        }
      }
      return result;
    });
  }
}
