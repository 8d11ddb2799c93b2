/**
 * The activity log: every change with its actor, action, object, before and after. Values pass
 * through `withoutSecrets` on the way in, so a password, hash or token never lands here even if
 * a caller passes one by mistake.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { ActivityApi } from './api.ts';
import {
  actorText,
  chunks,
  newId,
  nowText,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import { decodeCursor, encodeCursor, pageLimit } from './paging.ts';
import type { ActivityEntry, ActivityQuery, Actor, Page } from './types.ts';

export interface ActivityInput {
  tenantId: string | null;
  actor: Actor;
  action: string;
  objectType: string;
  objectId: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Property names whose values are never written to the log, compared case-insensitively: a
 * secret's own name, or a name ending in one (`password_hash`, `installPassword`). Names that
 * merely contain one, such as `passwordMinLength`, stay.
 */
const secretKeyPattern =
  /(password|passwd|secret|token|credential|hash|cookie|authorization|privatekey|apikey)$/i;

/** Copies a value without the properties whose names denote secrets, at any depth. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;

  const copy: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) {
    if (!secretKeyPattern.test(name)) copy[name] = withoutSecrets(inner);
  }
  return copy;
}

let sequence = 0;

/**
 * Makes an activity id that sorts in insertion order among entries with the same `at`: the
 * wall-clock milliseconds, then a per-process sequence number, then random digits. The wall
 * clock is used only to order ties, never as the entry's time, which comes from the Clock.
 */
function sortableId(): string {
  sequence = (sequence + 1) % 36 ** 6;
  const time = Date.now().toString(36).padStart(9, '0');
  return `${time}-${sequence.toString(36).padStart(6, '0')}-${newId().slice(0, 8)}`;
}

function jsonOrNull(value: Record<string, unknown> | null | undefined): string | null {
  return value === null || value === undefined ? null : JSON.stringify(withoutSecrets(value));
}

/** Writes activity entries, many per statement. */
export async function recordActivity(
  context: HostedContext,
  db: Queryable,
  entries: readonly ActivityInput[],
): Promise<void> {
  const at = nowText(context);
  for (const part of chunks(entries, 500)) {
    await db
      .insertInto('activity')
      .values(
        part.map((entry) => ({
          id: sortableId(),
          tenant_id: entry.tenantId,
          at,
          actor: actorText(entry.actor),
          action: entry.action,
          object_type: entry.objectType,
          object_id: entry.objectId,
          before: jsonOrNull(entry.before),
          after: jsonOrNull(entry.after),
        })),
      )
      .execute();
  }
}

/** Splits the attributes whose values differ between two flat objects into before and after. */
export function changedValues(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const changedBefore: Record<string, unknown> = {};
  const changedAfter: Record<string, unknown> = {};
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[name]) !== JSON.stringify(after[name])) {
      changedBefore[name] = before[name] ?? null;
      changedAfter[name] = after[name] ?? null;
    }
  }
  return { before: changedBefore, after: changedAfter };
}

/** Returns a query time as the fixed-width ISO text of the `at` column, or rejects it. */
function instantText(name: 'since' | 'until', value: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw rejection(
      'UP_HOSTED_INPUT_INVALID',
      `The activity filter ${name} "${value.slice(0, 64)}" is not an ISO 8601 time.`,
      'Pass a time such as 2026-03-01T08:00:00Z.',
      { field: name },
    );
  }
  return new Date(time).toISOString();
}

type ActivitySelect = SelectQueryBuilder<Database, 'activity', object>;

/** Applies the object, actor and time filters of a query. */
function filtered(select: ActivitySelect, query: ActivityQuery): ActivitySelect {
  let result = select;
  if (query.objectType !== undefined) result = result.where('object_type', '=', query.objectType);
  if (query.objectId !== undefined) result = result.where('object_id', '=', query.objectId);
  if (typeof query.actor === 'string') result = result.where('actor', '=', query.actor);
  if (Array.isArray(query.actor)) {
    const actors: readonly string[] = query.actor;
    // An empty list matches nothing, as `in ()` is not valid SQL.
    result =
      actors.length === 0 ? result.where(sql<boolean>`1 = 0`) : result.where('actor', 'in', actors);
  }
  if (query.since !== undefined)
    result = result.where('at', '>=', instantText('since', query.since));
  if (query.until !== undefined)
    result = result.where('at', '<=', instantText('until', query.until));
  return result;
}

export class ActivityService implements ActivityApi {
  constructor(private readonly context: HostedContext) {}

  async list(tenantId: string, query: ActivityQuery = {}): Promise<Page<ActivityEntry>> {
    const limit = pageLimit(query.limit);
    const db = this.context.store.db;
    let select = filtered(db.selectFrom('activity').where('tenant_id', '=', tenantId), query);

    const total = await select
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .executeTakeFirstOrThrow();

    if (query.cursor !== undefined) {
      const [at, id] = decodeCursor(query.cursor);
      select = select.where((eb) =>
        eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]),
      );
    }
    const rows = await select
      .selectAll()
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();

    const items = rows.slice(0, limit).map((row): ActivityEntry => ({
      id: row.id,
      tenantId: row.tenant_id,
      at: row.at,
      actor: row.actor,
      action: row.action,
      objectType: row.object_type,
      objectId: row.object_id,
      before: row.before === null ? null : (JSON.parse(row.before) as Record<string, unknown>),
      after: row.after === null ? null : (JSON.parse(row.after) as Record<string, unknown>),
    }));
    const last = items.at(-1);
    const nextCursor =
      rows.length > limit && last !== undefined ? encodeCursor([last.at, last.id]) : null;
    return { items, total: Number(total.count), nextCursor };
  }
}
