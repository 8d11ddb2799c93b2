/**
 * Removals of directory objects (deleted in AD or moved out of the scope) and the
 * accidental-removal guard that holds too many of them for an admin to approve.
 */
import { recordActivity } from './activity.ts';
import type { RemovalApi } from './api.ts';
import {
  addMilliseconds,
  chunks,
  inTransaction,
  newId,
  nowText,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import { detachInTransaction } from './link-core.ts';
import { loadMailboxRows } from './mailbox-model.ts';
import { loadPolicies } from './policies.ts';
import type { Actor, PendingRemoval, TenantPolicies } from './types.ts';

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Removes present objects: each becomes 'removed', and its mailbox is handled by the tenant's
 * leave-scope policy (kept, sign-in disabled and unlinked by default; or soft-deleted). The
 * mailbox remembers the anchor, so the object's return relinks it.
 */
export async function applyRemovals(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  anchors: readonly string[],
  policies: TenantPolicies,
  actor: Actor,
): Promise<void> {
  if (anchors.length === 0) return;
  const now = nowText(context);
  const purgeAfter =
    policies.leaveScope === 'soft-delete'
      ? addMilliseconds(now, policies.softDeleteRetentionDays * dayMs)
      : null;
  for (const mailbox of await loadMailboxRows(trx, tenantId, 'linked_anchor', anchors)) {
    await detachInTransaction(
      context,
      trx,
      mailbox,
      { leftScope: true, disable: true, purgeAfter },
      actor,
    );
  }
  for (const part of chunks(anchors, 500)) {
    await trx
      .updateTable('directory_objects')
      .set({ state: 'removed', removed_at: now, updated_at: now })
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
  }
  await recordActivity(
    context,
    trx,
    anchors.map((anchor) => ({
      tenantId,
      actor,
      action: 'object.removed',
      objectType: 'directory-object',
      objectId: anchor,
      before: { state: 'present' },
      after: { state: 'removed', leaveScope: policies.leaveScope },
    })),
  );
}

/** Holds removals for approval; anchors already held stay as they are. */
export async function holdRemovals(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  anchors: readonly string[],
  source: 'full' | 'delta',
  runId: string | null,
  actor: Actor,
): Promise<void> {
  const already = await pendingAnchors(trx, tenantId, anchors);
  const now = nowText(context);
  const rows = anchors
    .filter((anchor) => !already.has(anchor))
    .map((anchor) => ({
      id: newId(),
      tenant_id: tenantId,
      anchor,
      run_id: runId,
      source,
      state: 'pending',
      held_at: now,
      decided_at: null,
      decided_by: null,
    }));
  for (const part of chunks(rows, 500))
    await trx.insertInto('pending_removals').values(part).execute();
  await recordActivity(context, trx, [
    {
      tenantId,
      actor,
      action: 'removals.held',
      objectType: 'tenant',
      objectId: tenantId,
      after: { count: rows.length, source, runId },
    },
  ]);
  context.log.warn(
    { tenant_id: tenantId, run_id: runId, count: rows.length },
    'removals held for approval',
  );
}

/** Finds the anchors among the given ones that have a pending removal. */
export async function pendingAnchors(
  db: Queryable,
  tenantId: string,
  anchors: readonly string[],
): Promise<Set<string>> {
  const pending = new Set<string>();
  for (const part of chunks([...new Set(anchors)], 500)) {
    const rows = await db
      .selectFrom('pending_removals')
      .select('anchor')
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'pending')
      .where('anchor', 'in', part)
      .execute();
    for (const row of rows) pending.add(row.anchor);
  }
  return pending;
}

/** Marks held removals obsolete for objects that were reported again. */
export async function obsoletePending(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  anchors: readonly string[],
): Promise<void> {
  for (const part of chunks(anchors, 500)) {
    await trx
      .updateTable('pending_removals')
      .set({ state: 'obsolete', decided_at: nowText(context), decided_by: 'system' })
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'pending')
      .where('anchor', 'in', part)
      .execute();
  }
}

export class RemovalService implements RemovalApi {
  constructor(private readonly context: HostedContext) {}

  async listPending(tenantId: string): Promise<PendingRemoval[]> {
    const rows = await this.context.store.db
      .selectFrom('pending_removals')
      .leftJoin('directory_objects', (join) =>
        join
          .onRef('directory_objects.tenant_id', '=', 'pending_removals.tenant_id')
          .onRef('directory_objects.anchor', '=', 'pending_removals.anchor'),
      )
      .selectAll('pending_removals')
      .select(['directory_objects.dn', 'directory_objects.display_name'])
      .where('pending_removals.tenant_id', '=', tenantId)
      .where('pending_removals.state', '=', 'pending')
      .orderBy('pending_removals.held_at')
      .orderBy('pending_removals.anchor')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      anchor: row.anchor,
      runId: row.run_id,
      source: row.source === 'delta' ? 'delta' : 'full',
      state: 'pending',
      heldAt: row.held_at,
      decidedAt: row.decided_at,
      dn: row.dn,
      displayName: row.display_name,
    }));
  }

  async approve(
    tenantId: string,
    ids: string[] | 'all',
    actor: Actor,
  ): Promise<{ removed: number }> {
    return inTransaction(this.context, async (trx) => {
      const rows = await this.selectPending(trx, tenantId, ids);
      const anchors: string[] = [];
      for (const part of chunks(
        rows.map((row) => row.anchor),
        500,
      )) {
        const present = await trx
          .selectFrom('directory_objects')
          .select('anchor')
          .where('tenant_id', '=', tenantId)
          .where('state', '=', 'present')
          .where('anchor', 'in', part)
          .execute();
        anchors.push(...present.map((row) => row.anchor));
      }
      const policies = await loadPolicies(trx, tenantId);
      await applyRemovals(this.context, trx, tenantId, anchors, policies, actor);
      await this.decide(
        trx,
        rows.map((row) => row.id),
        'approved',
        actor,
      );
      return { removed: anchors.length };
    });
  }

  async reject(
    tenantId: string,
    ids: string[] | 'all',
    actor: Actor,
  ): Promise<{ rejected: number }> {
    return inTransaction(this.context, async (trx) => {
      const rows = await this.selectPending(trx, tenantId, ids);
      await this.decide(
        trx,
        rows.map((row) => row.id),
        'rejected',
        actor,
      );
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'removals.rejected',
          objectType: 'tenant',
          objectId: tenantId,
          after: { count: rows.length },
        },
      ]);
      return { rejected: rows.length };
    });
  }

  /** Loads the pending removals named; rejects ids that are not pending (any more). */
  private async selectPending(trx: Queryable, tenantId: string, ids: string[] | 'all') {
    const query = trx
      .selectFrom('pending_removals')
      .select(['id', 'anchor'])
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'pending');
    if (ids === 'all') return query.execute();

    const rows: { id: string; anchor: string }[] = [];
    for (const part of chunks([...new Set(ids)], 500)) {
      rows.push(...(await query.where('id', 'in', part).execute()));
    }
    const found = new Set(rows.map((row) => row.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw rejection(
        'UP_HOSTED_REMOVAL_NOT_PENDING',
        `${missing.length} of the held removals named are not pending: ${missing.slice(0, 5).join(', ')}.`,
        'Reload the list of held removals and decide again.',
        { ids: missing },
      );
    }
    return rows;
  }

  private async decide(trx: Queryable, ids: string[], state: string, actor: Actor): Promise<void> {
    const decidedBy = actor.kind === 'system' ? 'system' : `${actor.kind}:${actor.id}`;
    for (const part of chunks(ids, 500)) {
      await trx
        .updateTable('pending_removals')
        .set({ state, decided_at: nowText(this.context), decided_by: decidedBy })
        .where('id', 'in', part)
        .execute();
    }
  }
}
