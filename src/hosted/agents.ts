/**
 * Agents: they register with the tenant's shared install credentials and get an id and a
 * credential of their own, so rotating the install password leaves them working.
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { AgentsTable } from '../store/schema.ts';
import { recordActivity } from './activity.ts';
import { requireTenant } from './accounts.ts';
import type { AgentApi } from './api.ts';
import { newId, nowText, rejection, type HostedContext } from './context.ts';
import { hashesEqual, newToken, tokenHash } from './secrets.ts';
import type { Actor, Agent, AgentHello, AgentRegistration, InstallCredentials } from './types.ts';

/** Host, DC and version are shown in the panel; longer values are cut to this length. */
const maxHelloLength = 256;

function cleanHello(hello: AgentHello): AgentHello {
  const clean = (value: unknown) =>
    (typeof value === 'string' ? value : '').slice(0, maxHelloLength);
  return { host: clean(hello.host), dc: clean(hello.dc), version: clean(hello.version) };
}

/** An agent credential is `upa_<agent id>_<secret>`, so one string finds and proves the agent. */
function splitCredential(credential: string): { agentId: string } | null {
  const match = /^upa_([0-9a-f-]{36})_[A-Za-z0-9_-]{43}$/.exec(credential);
  return match?.[1] === undefined ? null : { agentId: match[1] };
}

export class AgentService implements AgentApi {
  constructor(private readonly context: HostedContext) {}

  async createInstallCredentials(tenantId: string, actor: Actor): Promise<InstallCredentials> {
    const tenant = await requireTenant(this.context, tenantId);
    const user = tenant.agentInstallUser ?? `agent-${randomBytes(6).toString('hex')}`;
    return this.setInstallPassword(tenantId, user, actor, 'agent-install.created');
  }

  async rotateInstallPassword(tenantId: string, actor: Actor): Promise<InstallCredentials> {
    const tenant = await requireTenant(this.context, tenantId);
    if (tenant.agentInstallUser === null) return this.createInstallCredentials(tenantId, actor);
    return this.setInstallPassword(
      tenantId,
      tenant.agentInstallUser,
      actor,
      'agent-install.rotated',
    );
  }

  async register(
    installUser: string,
    installPassword: string,
    hello: AgentHello,
  ): Promise<AgentRegistration | null> {
    const db = this.context.store.db;
    const tenant = await db
      .selectFrom('tenants')
      .select(['id', 'agent_install_password_hash'])
      .where('agent_install_user', '=', installUser.trim())
      .executeTakeFirst();
    if (tenant?.agent_install_password_hash == null) return null;
    const valid = await this.context.hasher.verify(
      tenant.agent_install_password_hash,
      installPassword,
    );
    if (!valid) return null;

    const agentId = newId();
    const credential = newToken(`upa_${agentId}`);
    const now = nowText(this.context);
    const clean = cleanHello(hello);
    await db
      .insertInto('agents')
      .values({
        id: agentId,
        tenant_id: tenant.id,
        ...clean,
        credential_hash: tokenHash(credential),
        registered_at: now,
        last_heartbeat_at: now,
        revoked_at: null,
      })
      .execute();
    await recordActivity(this.context, db, [
      {
        tenantId: tenant.id,
        actor: { kind: 'agent', id: agentId },
        action: 'agent.registered',
        objectType: 'agent',
        objectId: agentId,
        after: { ...clean },
      },
    ]);
    this.context.log.info({ tenant_id: tenant.id, agent_id: agentId }, 'agent registered');
    return { agentId, tenantId: tenant.id, credential };
  }

  async verifyCredential(credential: string): Promise<Agent | null> {
    const parts = splitCredential(credential);
    if (parts === null) return null;
    const row = await this.context.store.db
      .selectFrom('agents')
      .selectAll()
      .where('id', '=', parts.agentId)
      .executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) return null;
    if (!hashesEqual(row.credential_hash, tokenHash(credential))) return null;
    return (await this.withLease([row]))[0] ?? null;
  }

  async heartbeat(tenantId: string, agentId: string, hello: AgentHello): Promise<Agent> {
    const result = await this.context.store.db
      .updateTable('agents')
      .set({ ...cleanHello(hello), last_heartbeat_at: nowText(this.context) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw this.notFound(agentId);
    const agent = await this.get(tenantId, agentId);
    if (agent === null) throw this.notFound(agentId);
    return agent;
  }

  async get(tenantId: string, agentId: string): Promise<Agent | null> {
    const row = await this.context.store.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .executeTakeFirst();
    return row === undefined ? null : ((await this.withLease([row]))[0] ?? null);
  }

  async list(tenantId: string): Promise<Agent[]> {
    const rows = await this.context.store.db
      .selectFrom('agents')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('registered_at')
      .execute();
    return this.withLease(rows);
  }

  async revoke(tenantId: string, agentId: string, actor: Actor): Promise<void> {
    const db = this.context.store.db;
    const result = await db
      .updateTable('agents')
      .set({ revoked_at: nowText(this.context) })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', agentId)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw this.notFound(agentId);
    // A revoked agent must not keep writing through a lease it still holds.
    await db
      .updateTable('leases')
      .set({ agent_id: null, expires_at: null })
      .where('tenant_id', '=', tenantId)
      .where('agent_id', '=', agentId)
      .execute();
    await recordActivity(this.context, db, [
      { tenantId, actor, action: 'agent.revoked', objectType: 'agent', objectId: agentId },
    ]);
  }

  private async setInstallPassword(
    tenantId: string,
    user: string,
    actor: Actor,
    action: string,
  ): Promise<InstallCredentials> {
    const password = randomBytes(18).toString('base64url');
    const db = this.context.store.db;
    await db
      .updateTable('tenants')
      .set({
        agent_install_user: user,
        agent_install_password_hash: await this.context.hasher.hash(password),
      })
      .where('id', '=', tenantId)
      .execute();
    await recordActivity(this.context, db, [
      { tenantId, actor, action, objectType: 'tenant', objectId: tenantId, after: { user } },
    ]);
    return { user, password };
  }

  private async withLease(rows: Selectable<AgentsTable>[]): Promise<Agent[]> {
    const tenantIds = [...new Set(rows.map((row) => row.tenant_id))];
    const leases =
      tenantIds.length === 0
        ? []
        : await this.context.store.db
            .selectFrom('leases')
            .selectAll()
            .where('tenant_id', 'in', tenantIds)
            .execute();
    const now = nowText(this.context);
    const holders = new Set(
      leases.filter((l) => l.expires_at !== null && l.expires_at > now).map((l) => l.agent_id),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      host: row.host,
      dc: row.dc,
      version: row.version,
      registeredAt: row.registered_at,
      lastHeartbeatAt: row.last_heartbeat_at,
      revokedAt: row.revoked_at,
      holdsLease: holders.has(row.id),
    }));
  }

  private notFound(agentId: string) {
    return rejection(
      'UP_HOSTED_AGENT_NOT_FOUND',
      `The tenant has no active agent with the id ${agentId}.`,
      undefined,
      {
        agentId,
      },
    );
  }
}
