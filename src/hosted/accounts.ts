/** Provider operators, tenants and tenant admins: who may manage what. */
import type { Selectable } from 'kysely';
import type { AdminsTable, OperatorsTable, TenantsTable } from '../store/schema.ts';
import { recordActivity } from './activity.ts';
import type { AdminApi, Credentials, OperatorApi, TenantApi } from './api.ts';
import {
  inTransaction,
  newId,
  nowText,
  rejectOnUniqueViolation,
  rejection,
  type HostedContext,
} from './context.ts';
import { keyOf } from './keys.ts';
import { defaultPolicies } from './policies.ts';
import type { Actor, Operator, Tenant, TenantAdmin } from './types.ts';

/** The maximum length of user names and tenant names, in UTF-16 code units. */
const maxNameLength = 256;

function checkName(kind: string, name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > maxNameLength) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      `The ${kind} "${trimmed.slice(0, 64)}" is invalid.`,
      `Pass 1 to ${maxNameLength} characters.`,
      { field: kind },
    );
  }
  return trimmed;
}

/** The minimum length, in code points, of a tenant admin's or an operator's password. */
export const accountPasswordMinLength = 12;

/** Rejects an admin or operator password shorter than the minimum, naming the rule. */
function checkAccountPassword(password: string): void {
  const length = [...password].length;
  if (length < accountPasswordMinLength) {
    throw rejection(
      'UP_HOSTED_PASSWORD_POLICY',
      `The password has ${length} characters, fewer than the ${accountPasswordMinLength} required for admins and operators.`,
      `Choose a password of at least ${accountPasswordMinLength} characters.`,
      { length, minLength: accountPasswordMinLength },
    );
  }
}

export function toTenant(row: Selectable<TenantsTable>): Tenant {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    agentInstallUser: row.agent_install_user,
  };
}

function toOperator(row: Selectable<OperatorsTable>): Operator {
  return { id: row.id, username: row.username, createdAt: row.created_at };
}

function toAdmin(row: Selectable<AdminsTable>): TenantAdmin {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    username: row.username,
    createdAt: row.created_at,
  };
}

/** Loads a tenant or throws UP_HOSTED_TENANT_NOT_FOUND. */
export async function requireTenant(context: HostedContext, tenantId: string): Promise<Tenant> {
  const row = await context.store.db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (row === undefined) {
    throw rejection('UP_HOSTED_TENANT_NOT_FOUND', `No tenant has the id ${tenantId}.`, undefined, {
      tenantId,
    });
  }
  return toTenant(row);
}

export class OperatorService implements OperatorApi {
  constructor(private readonly context: HostedContext) {}

  async create(input: Credentials): Promise<Operator> {
    const username = checkName('user name', input.username);
    checkAccountPassword(input.password);
    const db = this.context.store.db;
    const taken = await db
      .selectFrom('operators')
      .select('id')
      .where('username_key', '=', keyOf(username))
      .executeTakeFirst();
    if (taken !== undefined) {
      throw rejection('UP_HOSTED_NAME_TAKEN', `An operator named ${username} exists already.`);
    }

    const row = {
      id: newId(),
      username,
      username_key: keyOf(username),
      password_hash: await this.context.hasher.hash(input.password),
      created_at: nowText(this.context),
    };
    await rejectOnUniqueViolation(db.insertInto('operators').values(row).execute(), () =>
      rejection('UP_HOSTED_NAME_TAKEN', `An operator named ${username} exists already.`),
    );
    await recordActivity(this.context, db, [
      {
        tenantId: null,
        actor: { kind: 'system' },
        action: 'operator.created',
        objectType: 'operator',
        objectId: row.id,
        after: { username },
      },
    ]);
    return toOperator(row);
  }

  async verifyPassword(username: string, password: string): Promise<Operator | null> {
    const row = await this.context.store.db
      .selectFrom('operators')
      .selectAll()
      .where('username_key', '=', keyOf(username.trim()))
      .executeTakeFirst();
    if (row === undefined) return null;
    return (await this.context.hasher.verify(row.password_hash, password)) ? toOperator(row) : null;
  }

  async list(): Promise<Operator[]> {
    const rows = await this.context.store.db
      .selectFrom('operators')
      .selectAll()
      .orderBy('username_key')
      .execute();
    return rows.map(toOperator);
  }
}

export class TenantService implements TenantApi {
  constructor(private readonly context: HostedContext) {}

  async create(input: { name: string }, actor: Actor): Promise<Tenant> {
    const name = checkName('tenant name', input.name);
    const policies = defaultPolicies;
    const row: Selectable<TenantsTable> = {
      id: newId(),
      name,
      name_key: keyOf(name),
      created_at: nowText(this.context),
      agent_install_user: null,
      agent_install_password_hash: null,
      leave_scope_policy: policies.leaveScope,
      soft_delete_retention_days: policies.softDeleteRetentionDays,
      removal_guard_max: policies.removalGuardMax,
      removal_guard_percent: policies.removalGuardPercent,
      autolink_standing: 0,
      autocreate_standing: 0,
      password_min_length: policies.passwordMinLength,
    };

    const created = inTransaction(this.context, async (trx) => {
      const taken = await trx
        .selectFrom('tenants')
        .select('id')
        .where('name_key', '=', row.name_key)
        .executeTakeFirst();
      if (taken !== undefined) {
        throw rejection('UP_HOSTED_NAME_TAKEN', `A tenant named ${name} exists already.`);
      }
      await trx.insertInto('tenants').values(row).execute();
      // The lease row exists from the start, so acquiring it is always a conditional update
      // of one row and two service instances can never both insert it.
      await trx
        .insertInto('leases')
        .values({
          tenant_id: row.id,
          agent_id: null,
          epoch: 0,
          acquired_at: null,
          expires_at: null,
        })
        .execute();
      await recordActivity(this.context, trx, [
        {
          tenantId: row.id,
          actor,
          action: 'tenant.created',
          objectType: 'tenant',
          objectId: row.id,
          after: { name },
        },
      ]);
    });
    await rejectOnUniqueViolation(created, () =>
      rejection('UP_HOSTED_NAME_TAKEN', `A tenant named ${name} exists already.`),
    );
    return toTenant(row);
  }

  async get(tenantId: string): Promise<Tenant | null> {
    const row = await this.context.store.db
      .selectFrom('tenants')
      .selectAll()
      .where('id', '=', tenantId)
      .executeTakeFirst();
    return row === undefined ? null : toTenant(row);
  }

  async getByName(name: string): Promise<Tenant | null> {
    const row = await this.context.store.db
      .selectFrom('tenants')
      .selectAll()
      .where('name_key', '=', keyOf(name.trim()))
      .executeTakeFirst();
    return row === undefined ? null : toTenant(row);
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.context.store.db
      .selectFrom('tenants')
      .selectAll()
      .orderBy('name_key')
      .execute();
    return rows.map(toTenant);
  }
}

export class AdminService implements AdminApi {
  constructor(private readonly context: HostedContext) {}

  async create(tenantId: string, input: Credentials, actor: Actor): Promise<TenantAdmin> {
    await requireTenant(this.context, tenantId);
    const username = checkName('user name', input.username);
    checkAccountPassword(input.password);
    const db = this.context.store.db;
    const taken = await db
      .selectFrom('admins')
      .select('id')
      .where('username_key', '=', keyOf(username))
      .executeTakeFirst();
    if (taken !== undefined) {
      throw rejection('UP_HOSTED_NAME_TAKEN', `An admin named ${username} exists already.`);
    }

    const row = {
      id: newId(),
      tenant_id: tenantId,
      username,
      username_key: keyOf(username),
      password_hash: await this.context.hasher.hash(input.password),
      created_at: nowText(this.context),
    };
    await rejectOnUniqueViolation(db.insertInto('admins').values(row).execute(), () =>
      rejection('UP_HOSTED_NAME_TAKEN', `An admin named ${username} exists already.`),
    );
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'admin.created',
        objectType: 'admin',
        objectId: row.id,
        after: { username },
      },
    ]);
    return toAdmin(row);
  }

  async verifyPassword(username: string, password: string): Promise<TenantAdmin | null> {
    const row = await this.context.store.db
      .selectFrom('admins')
      .selectAll()
      .where('username_key', '=', keyOf(username.trim()))
      .executeTakeFirst();
    if (row === undefined) return null;
    return (await this.context.hasher.verify(row.password_hash, password)) ? toAdmin(row) : null;
  }

  async setPassword(
    tenantId: string,
    adminId: string,
    password: string,
    actor: Actor,
  ): Promise<void> {
    checkAccountPassword(password);
    const db = this.context.store.db;
    const result = await db
      .updateTable('admins')
      .set({ password_hash: await this.context.hasher.hash(password) })
      .where('id', '=', adminId)
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw rejection('UP_HOSTED_INPUT_INVALID', `The tenant has no admin with the id ${adminId}.`);
    }
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'admin.password-changed',
        objectType: 'admin',
        objectId: adminId,
      },
    ]);
  }

  async list(tenantId: string): Promise<TenantAdmin[]> {
    const rows = await this.context.store.db
      .selectFrom('admins')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('username_key')
      .execute();
    return rows.map(toAdmin);
  }
}
