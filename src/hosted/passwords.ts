/**
 * Synchronized passwords and mailbox sign-in. Only argon2id hashes are stored; the newest
 * password by pwdLastSet wins, so a late or repeated delivery never rolls one back.
 */
import { recordActivity } from './activity.ts';
import type { PasswordApi } from './api.ts';
import { nowText, rejection, type HostedContext } from './context.ts';
import { keyOf } from './keys.ts';
import { loadPolicies } from './policies.ts';
import type {
  Actor,
  PasswordStatus,
  PasswordSubmission,
  PasswordSubmitStatus,
  SignInResult,
} from './types.ts';
import { isAnchor } from './validation.ts';

/** How far past the service clock a delivery's pwdLastSet may be: 5 minutes of clock skew. */
export const maxPwdLastSetSkewMs = 5 * 60 * 1000;

export class PasswordService implements PasswordApi {
  constructor(private readonly context: HostedContext) {}

  async submit(
    tenantId: string,
    submission: PasswordSubmission,
    actor: Actor,
  ): Promise<PasswordSubmitStatus> {
    const anchor = String(submission.anchor).toLowerCase();
    const pwdLastSet = Date.parse(submission.pwdLastSet);
    if (!isAnchor(anchor) || Number.isNaN(pwdLastSet) || typeof submission.password !== 'string') {
      throw rejection(
        'UP_HOSTED_INPUT_INVALID',
        'The password submission needs a GUID anchor, a password and an ISO 8601 pwdLastSet.',
        undefined,
        {
          anchor: anchor.slice(0, 64),
        },
      );
    }
    const db = this.context.store.db;
    const violation = await this.violation(tenantId, submission, pwdLastSet);
    if (violation !== null) {
      await recordActivity(this.context, db, [
        {
          tenantId,
          actor,
          action: 'password.policy-violation',
          objectType: 'directory-object',
          objectId: anchor,
          after: { ...violation, pwdLastSet: submission.pwdLastSet },
        },
      ]);
      this.context.log.warn(
        { tenant_id: tenantId, anchor, reason: violation.rule },
        'captured password breaks a rule; not stored',
      );
      return 'policy-violation';
    }

    const held = await db
      .selectFrom('object_passwords')
      .select('pwd_last_set')
      .where('tenant_id', '=', tenantId)
      .where('anchor', '=', anchor)
      .executeTakeFirst();
    const changeTime = new Date(pwdLastSet).toISOString();
    if (held !== undefined && held.pwd_last_set >= changeTime) return 'stale';

    const passwordHash = await this.context.hasher.hash(submission.password);
    const now = nowText(this.context);
    // The condition repeats the check above inside the write, so two deliveries racing on two
    // service instances still end with the newest password.
    const result = await db
      .insertInto('object_passwords')
      .values({
        tenant_id: tenantId,
        anchor,
        password_hash: passwordHash,
        pwd_last_set: changeTime,
        received_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'anchor'])
          .doUpdateSet((eb) => ({
            password_hash: eb.ref('excluded.password_hash'),
            pwd_last_set: eb.ref('excluded.pwd_last_set'),
            received_at: eb.ref('excluded.received_at'),
          }))
          .where('object_passwords.pwd_last_set', '<', changeTime),
      )
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 1n) === 0) return 'stale';
    await recordActivity(this.context, db, [
      {
        tenantId,
        actor,
        action: 'password.synchronized',
        objectType: 'directory-object',
        objectId: anchor,
        after: { pwdLastSet: changeTime },
      },
    ]);
    return 'stored';
  }

  /**
   * Returns the rule a delivery breaks, or null: the tenant's minimum length, or a pwdLastSet
   * beyond the service clock plus the allowed skew, which would make every later real change
   * `stale` until that time.
   */
  private async violation(
    tenantId: string,
    submission: PasswordSubmission,
    pwdLastSet: number,
  ): Promise<(Record<string, unknown> & { rule: string }) | null> {
    const latestAllowed = this.context.clock.now().getTime() + maxPwdLastSetSkewMs;
    if (pwdLastSet > latestAllowed) {
      return {
        rule: 'pwd-last-set-in-future',
        latestAllowed: new Date(latestAllowed).toISOString(),
      };
    }
    const policies = await loadPolicies(this.context.store.db, tenantId);
    if ([...submission.password.normalize('NFC')].length < policies.passwordMinLength) {
      return { rule: 'min-length', minLength: policies.passwordMinLength };
    }
    return null;
  }

  async status(tenantId: string, anchor: string): Promise<PasswordStatus> {
    const row = await this.context.store.db
      .selectFrom('object_passwords')
      .select(['pwd_last_set', 'received_at'])
      .where('tenant_id', '=', tenantId)
      .where('anchor', '=', anchor.toLowerCase())
      .executeTakeFirst();
    return row === undefined
      ? { synchronized: false }
      : { synchronized: true, pwdLastSet: row.pwd_last_set, receivedAt: row.received_at };
  }

  async verifySignIn(login: string, password: string): Promise<SignInResult> {
    const db = this.context.store.db;
    const found = await db
      .selectFrom('mailbox_addresses')
      .innerJoin('mailboxes', 'mailboxes.id', 'mailbox_addresses.mailbox_id')
      .selectAll('mailboxes')
      .where('mailbox_addresses.address_key', '=', keyOf(login.trim()))
      .execute();
    // Addresses are unique per tenant and domains belong to one tenant, so at most one matches.
    const mailbox = found[0];
    if (mailbox === undefined || found.length > 1) return { ok: false, reason: 'unknown-login' };

    let passwordHash = mailbox.password_hash;
    if (mailbox.linked_anchor !== null) {
      const synced = await db
        .selectFrom('object_passwords')
        .select('password_hash')
        .where('tenant_id', '=', mailbox.tenant_id)
        .where('anchor', '=', mailbox.linked_anchor)
        .executeTakeFirst();
      passwordHash = synced?.password_hash ?? null;
    }
    if (passwordHash === null) {
      return {
        ok: false,
        reason: mailbox.linked_anchor === null ? 'wrong-password' : 'password-not-synchronized',
      };
    }
    // The password is checked before the account state, so only someone who knows the password
    // learns the state of the account.
    if (!(await this.context.hasher.verify(passwordHash, password)))
      return { ok: false, reason: 'wrong-password' };
    if (mailbox.deleted_at !== null) return { ok: false, reason: 'deleted' };
    if (mailbox.enabled !== 1) return { ok: false, reason: 'disabled' };
    if (mailbox.account_expires !== null && mailbox.account_expires <= nowText(this.context)) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, mailboxId: mailbox.id, tenantId: mailbox.tenant_id };
  }
}
