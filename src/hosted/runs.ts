/**
 * The run protocol: start (full or delta), batches, end. Each call is one transaction that
 * first checks the lease, so a former holder's late batch can never land after a hand-over.
 */
import type { Selectable } from 'kysely';
import type { RunsTable } from '../store/schema.ts';
import { recordActivity } from './activity.ts';
import type { RunApi, RunRef } from './api.ts';
import { applyRecords } from './batch-records.ts';
import {
  chunks,
  inTransaction,
  newId,
  nowText,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import { countPresentObjects } from './directory.ts';
import { loadDomainKeys } from './eligibility.ts';
import { requireLease } from './lease.ts';
import { loadPolicies, removalThreshold } from './policies.ts';
import { applyRemovals, holdRemovals, obsoletePending, pendingAnchors } from './removals.ts';
import { applyStandingPolicies } from './standing.ts';
import type {
  Actor,
  BatchInput,
  BatchResult,
  EndRunResult,
  ObjectResult,
  Run,
  RunKind,
  RunSummary,
} from './types.ts';
import { isAnchor } from './validation.ts';

/** The maximum number of records, removals or manifest anchors in one batch. */
export const maxBatchItems = 1000;
/** The window over which the removals of delta runs are added up for the guard. */
export const deltaGuardWindowMs = 60 * 60 * 1000;

const emptySummary: RunSummary = {
  created: 0,
  updated: 0,
  unchanged: 0,
  rejected: 0,
  removed: 0,
  held: 0,
  manifest: 0,
};

function toRun(row: Selectable<RunsTable>): Run {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    epoch: row.epoch,
    kind: row.kind === 'full' ? 'full' : 'delta',
    state: row.state as Run['state'],
    startedAt: row.started_at,
    endedAt: row.ended_at,
    summary: { ...emptySummary, ...(JSON.parse(row.summary) as Partial<RunSummary>) },
  };
}

async function requireOpenRun(trx: Queryable, ref: RunRef): Promise<Run> {
  const row = await trx
    .selectFrom('runs')
    .selectAll()
    .where('tenant_id', '=', ref.tenantId)
    .where('id', '=', ref.runId)
    .executeTakeFirst();
  if (row === undefined) {
    throw rejection(
      'UP_HOSTED_RUN_NOT_FOUND',
      `The tenant has no run ${ref.runId}.`,
      'Start a new run.',
      { runId: ref.runId },
    );
  }
  if (row.state !== 'open' || row.agent_id !== ref.agentId || row.epoch !== ref.epoch) {
    throw rejection(
      'UP_HOSTED_RUN_CLOSED',
      `The run ${ref.runId} is ${row.state === 'open' ? "not this agent's at this epoch" : row.state}.`,
      'Start a new run.',
      {
        runId: ref.runId,
        state: row.state,
      },
    );
  }
  return toRun(row);
}

function checkBatchSize(batch: BatchInput): void {
  for (const [name, list] of Object.entries({
    records: batch.records,
    removals: batch.removals,
    manifest: batch.manifest,
  })) {
    if (list !== undefined && list.length > maxBatchItems) {
      throw rejection(
        'UP_HOSTED_INPUT_INVALID',
        `The batch has ${list.length} ${name}, more than the ${maxBatchItems} allowed.`,
        'Split it into smaller batches.',
        {
          field: name,
          count: list.length,
        },
      );
    }
  }
}

async function addToManifest(
  trx: Queryable,
  runId: string,
  anchors: readonly string[],
): Promise<void> {
  const unique = [...new Set(anchors)].filter(isAnchor);
  for (const part of chunks(unique, 500)) {
    await trx
      .insertInto('run_manifest')
      .values(part.map((anchor) => ({ run_id: runId, anchor })))
      .onConflict((oc) => oc.columns(['run_id', 'anchor']).doNothing())
      .execute();
  }
}

/**
 * Applies the explicit removals of a delta batch. If the removals of the last hour, these
 * included, exceed the guard's threshold, these are held instead.
 */
async function applyDeltaRemovals(
  context: HostedContext,
  trx: Queryable,
  run: Run,
  removals: readonly string[],
  recordAnchors: ReadonlySet<string>,
  actor: Actor,
): Promise<ObjectResult[]> {
  const results: ObjectResult[] = [];
  const wanted: string[] = [];
  for (const anchor of new Set(removals)) {
    if (!isAnchor(anchor) || recordAnchors.has(anchor)) {
      results.push({
        anchor: String(anchor),
        status: 'rejected',
        code: 'UP_HOSTED_RECORD_INVALID',
        attribute: 'anchor',
        message: isAnchor(anchor)
          ? `Object ${anchor}: the batch both sends and removes it.`
          : `Removal ${String(anchor).slice(0, 64)}: the anchor is not a GUID in lower-case text form.`,
      });
      continue;
    }
    wanted.push(anchor);
  }
  const present = new Set<string>();
  for (const part of chunks(wanted, 500)) {
    const rows = await trx
      .selectFrom('directory_objects')
      .select('anchor')
      .where('tenant_id', '=', run.tenantId)
      .where('state', '=', 'present')
      .where('anchor', 'in', part)
      .execute();
    for (const row of rows) present.add(row.anchor);
  }
  const held = await pendingAnchors(trx, run.tenantId, wanted);
  const candidates = wanted.filter((anchor) => present.has(anchor) && !held.has(anchor));
  for (const anchor of wanted) {
    if (held.has(anchor)) results.push({ anchor, status: 'held' });
    else if (!present.has(anchor)) results.push({ anchor, status: 'unchanged' });
  }
  if (candidates.length === 0) return results;

  const now = nowText(context);
  const since = new Date(new Date(now).getTime() - deltaGuardWindowMs).toISOString();
  // Rows older than the window never count again.
  await trx
    .deleteFrom('delta_removals')
    .where('tenant_id', '=', run.tenantId)
    .where('at', '<=', since)
    .execute();
  const recent = await trx
    .selectFrom('delta_removals')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('tenant_id', '=', run.tenantId)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  const policies = await loadPolicies(trx, run.tenantId);
  const threshold = removalThreshold(policies, await countPresentObjects(trx, run.tenantId));
  const hold = Number(recent.count) + candidates.length > threshold;

  if (hold) await holdRemovals(context, trx, run.tenantId, candidates, 'delta', run.id, actor);
  else await applyRemovals(context, trx, run.tenantId, candidates, policies, actor);
  for (const part of chunks(candidates, 500)) {
    await trx
      .insertInto('delta_removals')
      .values(
        part.map((anchor) => ({
          id: newId(),
          tenant_id: run.tenantId,
          anchor,
          at: now,
          held: hold ? 1 : 0,
        })),
      )
      .execute();
  }
  results.push(
    ...candidates.map((anchor): ObjectResult => ({ anchor, status: hold ? 'held' : 'removed' })),
  );
  return results;
}

function addToSummary(
  summary: RunSummary,
  results: readonly ObjectResult[],
  manifest: number,
): RunSummary {
  const next = { ...summary, manifest: summary.manifest + manifest };
  for (const result of results) {
    if (result.status === 'created') next.created += 1;
    else if (result.status === 'updated') next.updated += 1;
    else if (result.status === 'unchanged') next.unchanged += 1;
    else if (result.status === 'rejected') next.rejected += 1;
    else if (result.status === 'removed') next.removed += 1;
    else if (result.status === 'held') next.held += 1;
  }
  return next;
}

/** Puts results in the order of the batch's records, then its removals. */
function inBatchOrder(results: ObjectResult[], batch: BatchInput): ObjectResult[] {
  const order = new Map<string, number>();
  [
    ...(batch.records ?? []).map((r) => String(r.anchor)),
    ...(batch.removals ?? []).map(String),
  ].forEach((anchor, index) => {
    if (!order.has(anchor)) order.set(anchor, index);
  });
  return [...results].sort((a, b) => (order.get(a.anchor) ?? 0) - (order.get(b.anchor) ?? 0));
}

export class RunService implements RunApi {
  constructor(private readonly context: HostedContext) {}

  async start(tenantId: string, agentId: string, epoch: number, kind: RunKind): Promise<Run> {
    if (kind !== 'full' && kind !== 'delta') {
      throw rejection(
        'UP_HOSTED_INPUT_INVALID',
        `The run kind "${String(kind)}" is invalid.`,
        "Pass 'full' or 'delta'.",
      );
    }
    return inTransaction(this.context, async (trx) => {
      await requireLease(this.context, trx, { tenantId, agentId, epoch });
      const open = await trx
        .selectFrom('runs')
        .select('id')
        .where('tenant_id', '=', tenantId)
        .where('state', '=', 'open')
        .execute();
      for (const run of open)
        await trx.deleteFrom('run_manifest').where('run_id', '=', run.id).execute();
      // One run at a time per tenant: a new start means the older ones will never end.
      await trx
        .updateTable('runs')
        .set({ state: 'abandoned', ended_at: nowText(this.context) })
        .where('tenant_id', '=', tenantId)
        .where('state', '=', 'open')
        .execute();
      const row = {
        id: newId(),
        tenant_id: tenantId,
        agent_id: agentId,
        epoch,
        kind,
        state: 'open',
        started_at: nowText(this.context),
        ended_at: null,
        summary: JSON.stringify(emptySummary),
      };
      await trx.insertInto('runs').values(row).execute();
      this.context.log.info(
        { tenant_id: tenantId, agent_id: agentId, run_id: row.id },
        `${kind} run started`,
      );
      return toRun(row);
    });
  }

  async applyBatch(ref: RunRef, batch: BatchInput): Promise<BatchResult> {
    checkBatchSize(batch);
    return inTransaction(this.context, async (trx) => {
      await requireLease(this.context, trx, ref);
      const run = await requireOpenRun(trx, ref);
      const actor: Actor = { kind: 'agent', id: ref.agentId };
      const domainKeys = await loadDomainKeys(trx, ref.tenantId);
      const outcome = await applyRecords(
        this.context,
        trx,
        ref.tenantId,
        batch.records ?? [],
        domainKeys,
        actor,
      );
      const results = [...outcome.results];
      await obsoletePending(this.context, trx, ref.tenantId, outcome.acceptedAnchors);

      const eligibleChanged = outcome.changed
        .filter((c) => c.row.eligible === 1)
        .map((c) => c.row.anchor);
      const policies = await loadPolicies(trx, ref.tenantId);
      if (policies.autolink || policies.autocreate) {
        const linked = await applyStandingPolicies(
          this.context,
          trx,
          ref.tenantId,
          eligibleChanged,
          actor,
        );
        await this.noteStandingLinks(trx, ref.tenantId, results, linked);
      }

      let manifestCount = 0;
      if (run.kind === 'full') {
        // A rejected record still exists in AD, so it counts as listed: it must not be removed.
        const sent = (batch.records ?? []).map((record) => record.anchor);
        const manifest = [...(batch.manifest ?? []), ...sent];
        await addToManifest(trx, run.id, manifest);
        manifestCount = batch.manifest?.length ?? 0;
        // A full run removes by absence from its manifest, computed when it ends complete.
        for (const anchor of batch.removals ?? []) results.push({ anchor, status: 'deferred' });
      } else {
        const recordAnchors = new Set(outcome.acceptedAnchors);
        results.push(
          ...(await applyDeltaRemovals(
            this.context,
            trx,
            run,
            batch.removals ?? [],
            recordAnchors,
            actor,
          )),
        );
      }

      await trx
        .updateTable('runs')
        .set({ summary: JSON.stringify(addToSummary(run.summary, results, manifestCount)) })
        .where('id', '=', run.id)
        .execute();
      return { runId: run.id, results: inBatchOrder(results, batch) };
    });
  }

  async end(ref: RunRef, complete: boolean): Promise<EndRunResult> {
    return inTransaction(this.context, async (trx) => {
      await requireLease(this.context, trx, ref);
      const run = await requireOpenRun(trx, ref);
      let removed = 0;
      let held = 0;
      if (run.kind === 'full' && complete) ({ removed, held } = await this.removeImplied(trx, run));
      await trx.deleteFrom('run_manifest').where('run_id', '=', run.id).execute();

      const summary = {
        ...run.summary,
        removed: run.summary.removed + removed,
        held: run.summary.held + held,
      };
      const state = complete ? 'complete' : 'incomplete';
      const endedAt = nowText(this.context);
      await trx
        .updateTable('runs')
        .set({ state, ended_at: endedAt, summary: JSON.stringify(summary) })
        .where('id', '=', run.id)
        .execute();
      await recordActivity(this.context, trx, [
        {
          tenantId: run.tenantId,
          actor: { kind: 'agent', id: ref.agentId },
          action: `run.${state}`,
          objectType: 'run',
          objectId: run.id,
          after: { kind: run.kind, ...summary },
        },
      ]);
      this.context.log.info(
        {
          tenant_id: run.tenantId,
          agent_id: ref.agentId,
          run_id: run.id,
          count: summary.created + summary.updated,
        },
        `${run.kind} run ended ${state}`,
      );
      return { run: { ...run, state, endedAt, summary }, removed, held };
    });
  }

  async get(tenantId: string, runId: string): Promise<Run | null> {
    const row = await this.context.store.db
      .selectFrom('runs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', runId)
      .executeTakeFirst();
    return row === undefined ? null : toRun(row);
  }

  async list(tenantId: string, limit = 50): Promise<Run[]> {
    const rows = await this.context.store.db
      .selectFrom('runs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('started_at', 'desc')
      .limit(Math.min(Math.max(1, Math.floor(limit)), 500))
      .execute();
    return rows.map(toRun);
  }

  /**
   * Removes the present objects that the complete full read did not contain, or holds them
   * all when they exceed the guard's threshold. Held removals whose objects it did contain
   * become obsolete.
   */
  private async removeImplied(
    trx: Queryable,
    run: Run,
  ): Promise<{ removed: number; held: number }> {
    const missing = await trx
      .selectFrom('directory_objects as d')
      .select('d.anchor')
      .where('d.tenant_id', '=', run.tenantId)
      .where('d.state', '=', 'present')
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('run_manifest as m')
              .select('m.anchor')
              .where('m.run_id', '=', run.id)
              .whereRef('m.anchor', '=', 'd.anchor'),
          ),
        ),
      )
      .execute();
    const listed = await trx
      .selectFrom('run_manifest')
      .select('anchor')
      .where('run_id', '=', run.id)
      .execute();
    await obsoletePending(
      this.context,
      trx,
      run.tenantId,
      listed.map((row) => row.anchor),
    );

    const alreadyHeld = await pendingAnchors(
      trx,
      run.tenantId,
      missing.map((row) => row.anchor),
    );
    const anchors = missing.map((row) => row.anchor).filter((anchor) => !alreadyHeld.has(anchor));
    if (anchors.length === 0) return { removed: 0, held: 0 };

    const policies = await loadPolicies(trx, run.tenantId);
    const threshold = removalThreshold(policies, await countPresentObjects(trx, run.tenantId));
    const actor: Actor = { kind: 'agent', id: run.agentId };
    if (anchors.length > threshold) {
      await holdRemovals(this.context, trx, run.tenantId, anchors, 'full', run.id, actor);
      return { removed: 0, held: anchors.length };
    }
    await applyRemovals(this.context, trx, run.tenantId, anchors, policies, actor);
    return { removed: anchors.length, held: 0 };
  }

  /** Sets the mailbox of results whose objects a standing policy linked in this batch. */
  private async noteStandingLinks(
    trx: Queryable,
    tenantId: string,
    results: ObjectResult[],
    linked: ReadonlySet<string>,
  ): Promise<void> {
    if (linked.size === 0) return;
    const rows = await trx
      .selectFrom('mailboxes')
      .select(['id', 'linked_anchor'])
      .where('tenant_id', '=', tenantId)
      .where('linked_anchor', 'in', [...linked])
      .execute();
    const byAnchor = new Map(rows.map((row) => [row.linked_anchor, row.id]));
    for (const result of results) {
      const mailboxId = byAnchor.get(result.anchor);
      if (mailboxId !== undefined) result.mailboxId = mailboxId;
    }
  }
}
