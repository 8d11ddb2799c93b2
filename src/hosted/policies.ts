/** Tenant policies: leaving the scope, the removal guard, standing Autolink/Autocreate, passwords. */
import type { Selectable } from 'kysely';
import type { TenantsTable } from '../store/schema.ts';
import { changedValues, recordActivity } from './activity.ts';
import type { PolicyApi } from './api.ts';
import { flag, rejection, type HostedContext, type Queryable } from './context.ts';
import type { Actor, TenantPolicies } from './types.ts';

export const defaultPolicies: TenantPolicies = {
  leaveScope: 'disable',
  softDeleteRetentionDays: 30,
  removalGuardMax: 500,
  removalGuardPercent: 10,
  autolink: false,
  autocreate: false,
  passwordMinLength: 8,
};

/** Allowed ranges of the numeric policies, inclusive. */
const ranges = {
  softDeleteRetentionDays: [1, 3650],
  removalGuardMax: [0, 1_000_000],
  removalGuardPercent: [0, 100],
  passwordMinLength: [1, 256],
} as const;

export function toPolicies(row: Selectable<TenantsTable>): TenantPolicies {
  return {
    leaveScope: row.leave_scope_policy === 'soft-delete' ? 'soft-delete' : 'disable',
    softDeleteRetentionDays: row.soft_delete_retention_days,
    removalGuardMax: row.removal_guard_max,
    removalGuardPercent: row.removal_guard_percent,
    autolink: row.autolink_standing === 1,
    autocreate: row.autocreate_standing === 1,
    passwordMinLength: row.password_min_length,
  };
}

/** Loads a tenant's policies or throws UP_HOSTED_TENANT_NOT_FOUND. */
export async function loadPolicies(db: Queryable, tenantId: string): Promise<TenantPolicies> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (row === undefined) {
    throw rejection('UP_HOSTED_TENANT_NOT_FOUND', `No tenant has the id ${tenantId}.`, undefined, {
      tenantId,
    });
  }
  return toPolicies(row);
}

/**
 * The number of removals above which the guard holds them: the smaller of the fixed maximum
 * and the percentage of the tenant's present objects (rounded up).
 */
export function removalThreshold(policies: TenantPolicies, objectCount: number): number {
  const share = Math.ceil((objectCount * policies.removalGuardPercent) / 100);
  return Math.min(policies.removalGuardMax, share);
}

/** Validates every field of a patch at once and lists all problems in one rejection. */
function validatePatch(patch: Partial<TenantPolicies>): void {
  const problems: string[] = [];
  if (patch.leaveScope !== undefined && !['disable', 'soft-delete'].includes(patch.leaveScope)) {
    problems.push(
      `leaveScope must be 'disable' or 'soft-delete', not '${String(patch.leaveScope)}'`,
    );
  }
  for (const [name, [min, max]] of Object.entries(ranges)) {
    const value = patch[name as keyof typeof ranges];
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, not ${value}`);
    }
  }
  for (const name of ['autolink', 'autocreate'] as const) {
    const value = patch[name];
    if (value !== undefined && typeof value !== 'boolean') {
      problems.push(`${name} must be true or false`);
    }
  }
  if (problems.length > 0) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      `Invalid policy: ${problems.join('; ')}.`,
      undefined,
      {
        problems,
      },
    );
  }
}

export class PolicyService implements PolicyApi {
  constructor(private readonly context: HostedContext) {}

  get(tenantId: string): Promise<TenantPolicies> {
    return loadPolicies(this.context.store.db, tenantId);
  }

  async update(
    tenantId: string,
    patch: Partial<TenantPolicies>,
    actor: Actor,
  ): Promise<TenantPolicies> {
    validatePatch(patch);
    const db = this.context.store.db;
    const before = await loadPolicies(db, tenantId);
    const after: TenantPolicies = { ...before, ...definedOnly(patch) };

    await db
      .updateTable('tenants')
      .set({
        leave_scope_policy: after.leaveScope,
        soft_delete_retention_days: after.softDeleteRetentionDays,
        removal_guard_max: after.removalGuardMax,
        removal_guard_percent: after.removalGuardPercent,
        autolink_standing: flag(after.autolink),
        autocreate_standing: flag(after.autocreate),
        password_min_length: after.passwordMinLength,
      })
      .where('id', '=', tenantId)
      .execute();
    const change = changedValues({ ...before }, { ...after });
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'policies.updated',
        objectType: 'tenant',
        objectId: tenantId,
        ...change,
      },
    ]);
    return after;
  }
}

function definedOnly<T extends object>(patch: Partial<T>): Partial<T> {
  return Object.fromEntries(
    Object.entries(patch).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}
