/** Panel sessions kept in the store, so any service instance can serve any request. */
import type { Selectable } from 'kysely';
import type { SessionsTable } from '../store/schema.ts';
import type { NewSession, SessionApi } from './api.ts';
import { addMilliseconds, nowText, rejection, type HostedContext } from './context.ts';
import { newToken, tokenHash } from './secrets.ts';
import type { Session } from './types.ts';

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    subjectKind: row.subject_kind === 'operator' ? 'operator' : 'admin',
    subjectId: row.subject_id,
    tenantId: row.tenant_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

export class SessionService implements SessionApi {
  constructor(private readonly context: HostedContext) {}

  async create(input: NewSession): Promise<{ token: string; session: Session }> {
    if (!Number.isInteger(input.ttlMs) || input.ttlMs <= 0) {
      throw rejection('UP_HOSTED_INPUT_INVALID', `The session lifetime ${input.ttlMs} is invalid.`);
    }
    const token = newToken('ups');
    const now = nowText(this.context);
    const row = {
      token_hash: tokenHash(token),
      subject_kind: input.subjectKind,
      subject_id: input.subjectId,
      tenant_id: input.tenantId,
      created_at: now,
      expires_at: addMilliseconds(now, input.ttlMs),
    };
    await this.context.store.db.insertInto('sessions').values(row).execute();
    return { token, session: toSession(row) };
  }

  async get(token: string): Promise<Session | null> {
    const row = await this.context.store.db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash(token))
      .where('expires_at', '>', nowText(this.context))
      .executeTakeFirst();
    return row === undefined ? null : toSession(row);
  }

  async delete(token: string): Promise<void> {
    await this.context.store.db
      .deleteFrom('sessions')
      .where('token_hash', '=', tokenHash(token))
      .execute();
  }

  async deleteExpired(): Promise<number> {
    const result = await this.context.store.db
      .deleteFrom('sessions')
      .where('expires_at', '<=', nowText(this.context))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
