/**
 * The dependencies every part of the hosted service shares: the store, the clock, the logger and the
 * password hasher. Nothing here keeps state between calls, so several service instances on one
 * PostgreSQL database agree on everything.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { UserPilotError, type ErrorCode } from '../protocol/errors.ts';
import type { Database } from '../store/schema.ts';
import type { Store, StoreTransaction } from '../store/store.ts';
import type { PasswordHasher } from './secrets.ts';
import type { Actor } from './types.ts';

export interface HostedContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly hasher: PasswordHasher;
}

/** A query runner: the store itself or an open transaction. */
export type Queryable = Kysely<Database> | StoreTransaction;

/** The current time as fixed-width ISO 8601 UTC text, the form every time column holds. */
export function nowText(context: HostedContext): string {
  return context.clock.now().toISOString();
}

/** An instant `milliseconds` after `time`, as ISO text. */
export function addMilliseconds(time: string, milliseconds: number): string {
  return new Date(new Date(time).getTime() + milliseconds).toISOString();
}

export function newId(): string {
  return randomUUID();
}

/** The actor as one string for the activity log: `admin:<id>`, `agent:<id>`, `system`. */
export function actorText(actor: Actor): string {
  return actor.kind === 'system' ? 'system' : `${actor.kind}:${actor.id}`;
}

/** Runs `work` in one transaction of the store. */
export function inTransaction<T>(
  context: HostedContext,
  work: (trx: StoreTransaction) => Promise<T>,
): Promise<T> {
  return context.store.db.transaction().execute(work);
}

/** Builds a UserPilotError; a shorthand for the many rejections of the domain rules. */
export function rejection(
  code: ErrorCode,
  message: string,
  hint?: string,
  details: Record<string, unknown> = {},
): UserPilotError {
  return new UserPilotError(code, message, hint === undefined ? { details } : { hint, details });
}

export function flag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Splits a list into chunks, so a statement stays under the engines' parameter limits. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/** Tells whether a driver error is a unique or primary-key violation (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  const code = String(error.code);
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

/**
 * Runs work whose existence check and insert can race with another service instance, and turns
 * the store's unique violation into the rejection the check would have given.
 */
export async function rejectOnUniqueViolation<T>(
  work: Promise<T>,
  toRejection: () => UserPilotError,
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw toRejection();
    throw error;
  }
}
