/**
 * Failed sign-in counts in the store. Each failure is one upsert, so two instances recording
 * at once both count: the row's own values decide whether the count restarts.
 */
import { sql } from 'kysely';
import type { SignInFailures, SignInThrottleApi } from './api.ts';
import { addMilliseconds, nowText, type HostedContext } from './context.ts';
import { keyOf } from './keys.ts';

/** The maximum key length stored. Longer keys are cut, so a huge login cannot bloat the table. */
const maxKeyLength = 400;

/** Returns the throttle key of a text: trimmed, NFC and lower case like UPN keys, then capped. */
export function throttleKeyOf(key: string): string {
  return keyOf(key.trim()).slice(0, maxKeyLength);
}

function checkForget(forgetAfterMs: number): void {
  if (!Number.isInteger(forgetAfterMs) || forgetAfterMs <= 0) {
    throw new RangeError(`forgetAfterMs must be a positive whole number, not ${forgetAfterMs}`);
  }
}

export class SignInThrottleService implements SignInThrottleApi {
  constructor(private readonly context: HostedContext) {}

  async recordFailure(key: string, forgetAfterMs: number): Promise<SignInFailures> {
    checkForget(forgetAfterMs);
    const now = nowText(this.context);
    const cutoff = addMilliseconds(now, -forgetAfterMs);
    const db = this.context.store.db;
    const row = await db
      .insertInto('sign_in_failures')
      .values({ key: throttleKeyOf(key), failures: 1, last_failure_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when sign_in_failures.last_failure_at <= ${cutoff} then 1 else sign_in_failures.failures + 1 end`,
          last_failure_at: now,
        }),
      )
      .returning(['failures', 'last_failure_at'])
      .executeTakeFirstOrThrow();
    // Forgotten rows are dropped as failures arrive, so a spray of names cannot grow the table
    // without bound. The index on last_failure_at makes this a range delete.
    await db.deleteFrom('sign_in_failures').where('last_failure_at', '<=', cutoff).execute();
    return { failures: Number(row.failures), lastFailureAt: row.last_failure_at };
  }

  async get(key: string): Promise<SignInFailures | null> {
    const row = await this.context.store.db
      .selectFrom('sign_in_failures')
      .select(['failures', 'last_failure_at'])
      .where('key', '=', throttleKeyOf(key))
      .executeTakeFirst();
    return row === undefined
      ? null
      : { failures: Number(row.failures), lastFailureAt: row.last_failure_at };
  }

  async clear(key: string): Promise<void> {
    await this.context.store.db
      .deleteFrom('sign_in_failures')
      .where('key', '=', throttleKeyOf(key))
      .execute();
  }
}
