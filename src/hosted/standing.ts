/** Standing Autolink and Autocreate: tenant policies applied to objects as they arrive. */
import type { HostedContext, Queryable } from './context.ts';
import {
  autocreateObjects,
  computeAutolink,
  linkPairs,
  loadUnlinkedObjects,
} from './link-actions.ts';
import { loadPolicies } from './policies.ts';
import type { Actor } from './types.ts';

/**
 * Applies the tenant's standing policies to the given objects: Autolink first, so an existing
 * mailbox is preferred, then Autocreate for those still unlinked. Returns the anchors linked.
 */
export async function applyStandingPolicies(
  context: HostedContext,
  trx: Queryable,
  tenantId: string,
  anchors: readonly string[],
  actor: Actor,
): Promise<Set<string>> {
  const linked = new Set<string>();
  if (anchors.length === 0) return linked;
  const policies = await loadPolicies(trx, tenantId);
  if (policies.autolink) {
    const computed = await computeAutolink(trx, tenantId, [...anchors]);
    const done = await linkPairs(context, trx, tenantId, computed, actor);
    for (const pair of done.pairs) linked.add(pair.anchor);
  }
  if (policies.autocreate) {
    const remaining = anchors.filter((anchor) => !linked.has(anchor));
    const objects = await loadUnlinkedObjects(trx, tenantId, {
      column: 'anchor',
      values: remaining,
    });
    const created = await autocreateObjects(context, trx, tenantId, objects, actor);
    for (const entry of created.created) linked.add(entry.anchor);
  }
  return linked;
}
