/** SCIM bearer tokens of a tenant, stored only as SHA-256 hashes. */
import type { Selectable } from 'kysely';
import type { ScimTokensTable } from '../store/schema.ts';
import { recordActivity } from './activity.ts';
import { requireTenant } from './accounts.ts';
import type { ScimTokenApi } from './api.ts';
import { newId, nowText, rejection, type HostedContext } from './context.ts';
import { newToken, tokenHash } from './secrets.ts';
import type { Actor, ScimToken } from './types.ts';

function toScimToken(row: Selectable<ScimTokensTable>): ScimToken {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

export class ScimTokenService implements ScimTokenApi {
  constructor(private readonly context: HostedContext) {}

  async create(
    tenantId: string,
    label: string,
    actor: Actor,
  ): Promise<{ token: string; info: ScimToken }> {
    await requireTenant(this.context, tenantId);
    const token = newToken('upscim');
    const row = {
      id: newId(),
      tenant_id: tenantId,
      label: label.trim().slice(0, 256),
      token_hash: tokenHash(token),
      created_at: nowText(this.context),
      revoked_at: null,
      last_used_at: null,
    };
    const db = this.context.store.db;
    await db.insertInto('scim_tokens').values(row).execute();
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'scim-token.created',
        objectType: 'scim-token',
        objectId: row.id,
        after: { label: row.label },
      },
    ]);
    return { token, info: toScimToken(row) };
  }

  async verify(token: string): Promise<ScimToken | null> {
    const db = this.context.store.db;
    const row = await db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (row === undefined) return null;

    const now = nowText(this.context);
    await db
      .updateTable('scim_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .execute();
    return toScimToken({ ...row, last_used_at: now });
  }

  async revoke(tenantId: string, tokenId: string, actor: Actor): Promise<void> {
    const db = this.context.store.db;
    const result = await db
      .updateTable('scim_tokens')
      .set({ revoked_at: nowText(this.context) })
      .where('id', '=', tokenId)
      .where('tenant_id', '=', tenantId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw rejection('UP_HOSTED_INPUT_INVALID', `The tenant has no active SCIM token ${tokenId}.`);
    }
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'scim-token.revoked',
        objectType: 'scim-token',
        objectId: tokenId,
      },
    ]);
  }

  async list(tenantId: string): Promise<ScimToken[]> {
    const rows = await this.context.store.db
      .selectFrom('scim_tokens')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('created_at')
      .execute();
    return rows.map(toScimToken);
  }
}
