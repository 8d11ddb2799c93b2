/** Directory objects as the agents last reported them, with their eligibility. */
import { sql } from 'kysely';
import type { DirectoryApi } from './api.ts';
import type { HostedContext, Queryable } from './context.ts';
import { reasonHint } from './eligibility.ts';
import { keyOf } from './keys.ts';
import { recordOf, type ObjectRow } from './link-core.ts';
import { passwordStatuses } from './mailbox-model.ts';
import { decodeCursor, encodeCursor, likePattern, pageLimit, pageOffset } from './paging.ts';
import type { DirectoryListQuery, DirectoryObject, IneligibleReason, Page } from './types.ts';

/** Maps object rows to the public type, with their links and password status. */
export async function toDirectoryObjects(
  db: Queryable,
  tenantId: string,
  rows: readonly ObjectRow[],
): Promise<DirectoryObject[]> {
  const anchors = rows.map((row) => row.anchor);
  const links = new Map<string, string>();
  if (anchors.length > 0) {
    const linked = await db
      .selectFrom('mailboxes')
      .select(['id', 'linked_anchor'])
      .where('tenant_id', '=', tenantId)
      .where('linked_anchor', 'in', anchors)
      .execute();
    for (const row of linked) if (row.linked_anchor !== null) links.set(row.linked_anchor, row.id);
  }
  const passwords = await passwordStatuses(db, tenantId, anchors);
  return rows.map((row) => {
    const reason = row.ineligible_reason as IneligibleReason | null;
    return {
      anchor: row.anchor,
      tenantId: row.tenant_id,
      dn: row.dn,
      record: recordOf(row),
      eligible: row.eligible === 1,
      reason,
      reasonHint: reasonHint(reason, row.upn),
      state: row.state === 'removed' ? 'removed' : 'present',
      linkedMailboxId: links.get(row.anchor) ?? null,
      removedAt: row.removed_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      password: passwords.get(row.anchor) ?? { synchronized: false },
    };
  });
}

export class DirectoryService implements DirectoryApi {
  constructor(private readonly context: HostedContext) {}

  async get(tenantId: string, anchor: string): Promise<DirectoryObject | null> {
    const db = this.context.store.db;
    const row = await db
      .selectFrom('directory_objects')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('anchor', '=', anchor.toLowerCase())
      .executeTakeFirst();
    if (row === undefined) return null;
    const [object] = await toDirectoryObjects(db, tenantId, [row]);
    return object ?? null;
  }

  async list(tenantId: string, query: DirectoryListQuery = {}): Promise<Page<DirectoryObject>> {
    const limit = pageLimit(query.limit);
    const offset = pageOffset(query.offset);
    const db = this.context.store.db;
    let select = db.selectFrom('directory_objects').where('tenant_id', '=', tenantId);
    if (query.state !== undefined) select = select.where('state', '=', query.state);
    if (query.eligible !== undefined)
      select = select.where('eligible', '=', query.eligible ? 1 : 0);
    if (query.linked !== undefined) {
      const linked = db
        .selectFrom('mailboxes')
        .select('linked_anchor')
        .where('tenant_id', '=', tenantId)
        .where('linked_anchor', 'is not', null);
      select = select.where('anchor', query.linked ? 'in' : 'not in', linked as never);
    }
    const search = query.search?.trim() ?? '';
    if (search !== '') {
      const pattern = likePattern(keyOf(search));
      select = select.where((eb) =>
        eb.or([
          sql<boolean>`${eb.ref('upn_key')} like ${pattern} escape '\\'`,
          sql<boolean>`${eb.ref('display_name_key')} like ${pattern} escape '\\'`,
          sql<boolean>`${eb.ref('anchor')} like ${pattern} escape '\\'`,
        ]),
      );
    }
    const total = await select
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();
    if (query.cursor !== undefined) {
      const [anchor] = decodeCursor(query.cursor);
      select = select.where('anchor', '>', anchor);
    }
    const rows = await select
      .selectAll()
      .orderBy('anchor')
      .limit(limit + 1)
      .offset(query.cursor === undefined ? offset : 0)
      .execute();
    const pageRows = rows.slice(0, limit);
    const last = pageRows.at(-1);
    return {
      items: await toDirectoryObjects(db, tenantId, pageRows),
      total: Number(total.count),
      nextCursor:
        rows.length > limit && last !== undefined ? encodeCursor([last.anchor, '']) : null,
    };
  }

  count(tenantId: string): Promise<number> {
    return countPresentObjects(this.context.store.db, tenantId);
  }
}

export async function countPresentObjects(db: Queryable, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('directory_objects')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('tenant_id', '=', tenantId)
    .where('state', '=', 'present')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
