/**
 * The UPN rule: a directory object is synchronized only when its userPrincipalName is an email
 * address in a domain the tenant has registered (compared case-insensitively).
 */
import type { Queryable } from './context.ts';
import { domainKeyOf } from './keys.ts';
import type { IneligibleReason } from './types.ts';

export interface Eligibility {
  eligible: boolean;
  reason: IneligibleReason | null;
}

export function evaluateEligibility(
  upn: string | null,
  domainKeys: ReadonlySet<string>,
): Eligibility {
  const domainKey = upn === null ? null : domainKeyOf(upn);
  if (domainKey === null) return { eligible: false, reason: 'upn-not-email' };
  if (!domainKeys.has(domainKey)) return { eligible: false, reason: 'upn-domain-not-registered' };
  return { eligible: true, reason: null };
}

/** What an admin can do about a reason, in one sentence. */
export function reasonHint(reason: IneligibleReason | null, upn: string | null): string | null {
  if (reason === 'upn-not-email') {
    return upn === null
      ? 'The user has no userPrincipalName: set one of the form user@domain in the local AD.'
      : `The userPrincipalName "${upn}" is not an email address: set one of the form user@domain in the local AD.`;
  }
  if (reason === 'upn-domain-not-registered') {
    const domain = upn?.slice(upn.lastIndexOf('@') + 1) ?? '';
    return `The domain ${domain} of the userPrincipalName is not registered: register it under Domains, or change the UPN in the local AD.`;
  }
  return null;
}

/** The keys of the tenant's registered domains. */
export async function loadDomainKeys(db: Queryable, tenantId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('domains')
    .select('name_key')
    .where('tenant_id', '=', tenantId)
    .execute();
  return new Set(rows.map((row) => row.name_key));
}
