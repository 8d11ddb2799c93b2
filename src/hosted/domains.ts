/**
 * Registered mail domains. Registering or removing one re-evaluates the UPN rule for the
 * tenant's directory objects, so no change in AD is needed.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { recordActivity } from './activity.ts';
import { requireTenant } from './accounts.ts';
import type { DomainApi } from './api.ts';
import {
  chunks,
  inTransaction,
  newId,
  nowText,
  rejectOnUniqueViolation,
  rejection,
  type HostedContext,
  type Queryable,
} from './context.ts';
import { evaluateEligibility, loadDomainKeys } from './eligibility.ts';
import { domainToUnicode } from 'node:url';
import { domainNameKey, formatCharacterIn, isDomainName } from './keys.ts';
import { applyStandingPolicies } from './standing.ts';
import type { Database } from '../store/schema.ts';
import type { Actor, Domain } from './types.ts';

/**
 * Returns the domain key of a registered name, rejecting an invalid name or one with an
 * invisible format character.
 */
function checkDomainName(name: string): string {
  const hidden = formatCharacterIn(name);
  if (hidden !== null) {
    throw rejection(
      'UP_HOSTED_DOMAIN_INVALID',
      `The domain name contains the invisible format character ${hidden}.`,
      'Type the domain name again without hidden characters.',
      { attribute: 'domain', character: hidden },
    );
  }
  const key = isDomainName(name) ? domainNameKey(name) : null;
  if (key === null) {
    throw rejection(
      'UP_HOSTED_DOMAIN_INVALID',
      `"${name.slice(0, 256)}" is not a valid domain name.`,
      'Pass the mail domain alone, for example example.com.',
    );
  }
  return key;
}

/**
 * Matches a UPN or address key in the domain. Keys keep the domain as written, so both the
 * ASCII (punycode) form and the Unicode form of the domain key match.
 */
function endsInDomain<T extends 'directory_objects' | 'mailbox_addresses'>(
  eb: ExpressionBuilder<Database, T>,
  column: 'upn_key' | 'address_key',
  domainKey: string,
) {
  const unicode = domainToUnicode(domainKey);
  const forms = unicode === '' || unicode === domainKey ? [domainKey] : [domainKey, unicode];
  return eb.or(forms.map((form) => sql<boolean>`${sql.ref(column)} like ${`%@${form}`}`));
}

/**
 * Re-evaluates eligibility of the tenant's objects whose UPN ends in the domain; returns the
 * anchors that became eligible and those that stopped being so.
 */
async function reevaluateDomain(
  db: Queryable,
  tenantId: string,
  domainKey: string,
  domainKeys: ReadonlySet<string>,
): Promise<{ nowEligible: string[]; nowIneligible: string[] }> {
  const rows = await db
    .selectFrom('directory_objects')
    .select(['anchor', 'upn', 'eligible', 'ineligible_reason'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => endsInDomain(eb, 'upn_key', domainKey))
    .execute();
  const nowEligible: string[] = [];
  const nowIneligible: string[] = [];
  for (const row of rows) {
    const result = evaluateEligibility(row.upn, domainKeys);
    if (result.eligible && row.eligible === 0) nowEligible.push(row.anchor);
    if (!result.eligible && row.eligible === 1) nowIneligible.push(row.anchor);
  }
  for (const part of chunks(nowEligible, 500)) {
    await db
      .updateTable('directory_objects')
      .set({ eligible: 1, ineligible_reason: null })
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
  }
  for (const part of chunks(nowIneligible, 500)) {
    await db
      .updateTable('directory_objects')
      .set({ eligible: 0, ineligible_reason: 'upn-domain-not-registered' })
      .where('tenant_id', '=', tenantId)
      .where('anchor', 'in', part)
      .execute();
  }
  return { nowEligible, nowIneligible };
}

export class DomainService implements DomainApi {
  constructor(private readonly context: HostedContext) {}

  async register(
    tenantId: string,
    name: string,
    actor: Actor,
  ): Promise<{ domain: Domain; newlyEligible: number }> {
    await requireTenant(this.context, tenantId);
    const trimmed = name.trim().replace(/\.$/, '').normalize('NFC');
    const nameKey = checkDomainName(trimmed);
    const domain: Domain = {
      id: newId(),
      tenantId,
      name: trimmed,
      createdAt: nowText(this.context),
    };
    const registered = inTransaction(this.context, async (trx) => {
      const taken = await trx
        .selectFrom('domains')
        .select('tenant_id')
        .where('name_key', '=', nameKey)
        .executeTakeFirst();
      if (taken !== undefined) {
        throw rejection(
          'UP_HOSTED_NAME_TAKEN',
          taken.tenant_id === tenantId
            ? `The domain ${trimmed} is registered already.`
            : `The domain ${trimmed} is registered by another tenant.`,
        );
      }
      await trx
        .insertInto('domains')
        .values({
          id: domain.id,
          tenant_id: tenantId,
          name: trimmed,
          name_key: nameKey,
          created_at: domain.createdAt,
        })
        .execute();
      const domainKeys = await loadDomainKeys(trx, tenantId);
      // NOTE: a linked mailbox whose object becomes eligible again here keeps its last values
      // until the object's next change reaches a batch.
      const { nowEligible } = await reevaluateDomain(trx, tenantId, nameKey, domainKeys);
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'domain.registered',
          objectType: 'domain',
          objectId: domain.id,
          after: { name: trimmed, newlyEligible: nowEligible.length },
        },
      ]);
      await applyStandingPolicies(this.context, trx, tenantId, nowEligible, actor);
      return nowEligible.length;
    });
    const newlyEligible = await rejectOnUniqueViolation(registered, () =>
      rejection('UP_HOSTED_NAME_TAKEN', `The domain ${trimmed} is registered already.`),
    );
    return { domain, newlyEligible };
  }

  async list(tenantId: string): Promise<Domain[]> {
    const rows = await this.context.store.db
      .selectFrom('domains')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('name_key')
      .execute();
    return rows.map((row) => ({ id: row.id, tenantId, name: row.name, createdAt: row.created_at }));
  }

  async remove(
    tenantId: string,
    domainId: string,
    actor: Actor,
  ): Promise<{ newlyIneligible: number }> {
    return inTransaction(this.context, async (trx) => {
      const domain = await trx
        .selectFrom('domains')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('id', '=', domainId)
        .executeTakeFirst();
      if (domain === undefined) {
        throw rejection(
          'UP_HOSTED_INPUT_INVALID',
          `The tenant has no domain with the id ${domainId}.`,
        );
      }
      const used = await trx
        .selectFrom('mailbox_addresses')
        .select((eb) => eb.fn.count<number | string>('mailbox_id').distinct().as('count'))
        .where('tenant_id', '=', tenantId)
        .where((eb) => endsInDomain(eb, 'address_key', domain.name_key))
        .executeTakeFirstOrThrow();
      const mailboxCount = Number(used.count);
      if (mailboxCount > 0) {
        throw rejection(
          'UP_HOSTED_DOMAIN_IN_USE',
          `The domain ${domain.name} cannot be removed: ${mailboxCount} mailbox${mailboxCount === 1 ? '' : 'es'} use${mailboxCount === 1 ? 's' : ''} it.`,
          'Change or remove their addresses in this domain first.',
          { mailboxCount, domain: domain.name },
        );
      }
      await trx.deleteFrom('domains').where('id', '=', domainId).execute();
      const domainKeys = await loadDomainKeys(trx, tenantId);
      const { nowIneligible } = await reevaluateDomain(trx, tenantId, domain.name_key, domainKeys);
      await recordActivity(this.context, trx, [
        {
          tenantId,
          actor,
          action: 'domain.removed',
          objectType: 'domain',
          objectId: domainId,
          before: { name: domain.name },
          after: { newlyIneligible: nowIneligible.length },
        },
      ]);
      return { newlyIneligible: nowIneligible.length };
    });
  }
}
