/**
 * The directory lease. The store row is the only truth: each change is one conditional UPDATE,
 * so two service instances on one PostgreSQL database can never both hand it out.
 */
import type { Selectable } from 'kysely';
import type { LeasesTable } from '../store/schema.ts';
import type { LeaseApi, RunRef } from './api.ts';
import {
  addMilliseconds,
  nowText,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import type { Lease, LeaseResult } from './types.ts';

/** The maximum lease time-to-live an agent may request; it renews well before the end. */
export const maxLeaseTtlMs = 10 * 60 * 1000;

function toLease(row: Selectable<LeasesTable>): Lease {
  return {
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    epoch: row.epoch,
    acquiredAt: row.acquired_at,
    expiresAt: row.expires_at,
  };
}

function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1000 || ttlMs > maxLeaseTtlMs) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      `The lease time-to-live ${ttlMs} ms is invalid.`,
      `Pass a whole number of milliseconds from 1000 to ${maxLeaseTtlMs}.`,
    );
  }
}

async function loadLease(
  db: Queryable,
  tenantId: string,
  lock: boolean,
): Promise<Selectable<LeasesTable>> {
  let query = db.selectFrom('leases').selectAll().where('tenant_id', '=', tenantId);
  // SQLite has no row locks and needs none: its transactions run one at a time on the single
  // connection.
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (row === undefined) {
    throw rejection('UP_HOSTED_TENANT_NOT_FOUND', `No tenant has the id ${tenantId}.`, undefined, {
      tenantId,
    });
  }
  return row;
}

/**
 * Checks, inside a write transaction, that the agent holds the unexpired lease at this epoch.
 * On PostgreSQL the lease row stays locked until the transaction ends, so no hand-over can
 * interleave with the write.
 */
export async function requireLease(
  context: HostedContext,
  trx: Queryable,
  ref: Omit<RunRef, 'runId'>,
): Promise<void> {
  const lease = await loadLease(trx, ref.tenantId, context.store.engine === 'postgres');
  if (ref.epoch < lease.epoch) {
    throw rejection(
      'UP_HOSTED_EPOCH_STALE',
      `The request carries epoch ${ref.epoch}, but the lease is at epoch ${lease.epoch}.`,
      'Stop this run, acquire the lease again and start a new run.',
      { epoch: ref.epoch, currentEpoch: lease.epoch },
    );
  }
  const live = lease.expires_at !== null && lease.expires_at > nowText(context);
  if (lease.agent_id !== ref.agentId || ref.epoch !== lease.epoch || !live) {
    throw rejection(
      'UP_HOSTED_LEASE_NOT_HELD',
      `Agent ${ref.agentId} does not hold the directory lease of the tenant.`,
      'Acquire the lease, then start a new run.',
      { agentId: ref.agentId, epoch: ref.epoch, currentEpoch: lease.epoch },
    );
  }
}

export class LeaseService implements LeaseApi {
  constructor(private readonly context: HostedContext) {}

  async acquire(tenantId: string, agentId: string, ttlMs: number): Promise<LeaseResult> {
    checkTtl(ttlMs);
    const db = this.context.store.db;
    const agent = await db
      .selectFrom('agents')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (agent === undefined) {
      throw rejection(
        'UP_HOSTED_AGENT_NOT_FOUND',
        `The tenant has no active agent with the id ${agentId}.`,
      );
    }
    const now = nowText(this.context);
    // The right-hand sides read the row's old values, so the epoch rises exactly when the
    // lease passes from another agent (or, after a release, from no holder) to this one.
    const row = await db
      .updateTable('leases')
      .set((eb) => ({
        epoch: eb
          .case()
          .when('agent_id', '=', agentId)
          .then(eb.ref('epoch'))
          .else(eb('epoch', '+', 1))
          .end(),
        acquired_at: eb
          .case()
          .when('agent_id', '=', agentId)
          .then(eb.ref('acquired_at'))
          .else(now)
          .end(),
        agent_id: agentId,
        expires_at: addMilliseconds(now, ttlMs),
      }))
      .where('tenant_id', '=', tenantId)
      .where((eb) =>
        eb.or([
          eb('agent_id', 'is', null),
          eb('agent_id', '=', agentId),
          eb('expires_at', '<=', now),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) {
      this.context.log.debug({ tenant_id: tenantId, agent_id: agentId }, 'lease acquired');
      return { acquired: true, lease: toLease(row) };
    }
    return {
      acquired: false,
      lease: toLease(await loadLease(db, tenantId, false)),
      reason: 'held-by-other',
    };
  }

  async renew(
    tenantId: string,
    agentId: string,
    epoch: number,
    ttlMs: number,
  ): Promise<LeaseResult> {
    checkTtl(ttlMs);
    const db = this.context.store.db;
    const row = await db
      .updateTable('leases')
      .set({ expires_at: addMilliseconds(nowText(this.context), ttlMs) })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('epoch', '=', epoch)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { acquired: true, lease: toLease(row) };
    const lease = toLease(await loadLease(db, tenantId, false));
    return { acquired: false, lease, reason: lease.epoch > epoch ? 'epoch-stale' : 'not-holder' };
  }

  async release(tenantId: string, agentId: string, epoch: number): Promise<boolean> {
    const result = await this.context.store.db
      .updateTable('leases')
      .set({ agent_id: null, expires_at: null })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .where('epoch', '=', epoch)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(tenantId: string): Promise<Lease> {
    return toLease(await loadLease(this.context.store.db, tenantId, false));
  }
}
