import { findAttribute, type AttributeDefinition } from '../schema/attributes.ts';
import { coerceSingle } from '../schema/coerce.ts';
import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import type { FilterNode } from '../filter/ast.ts';
import { foldCase } from '../filter/values.ts';

/** Values of a multi-valued complex attribute, as stored on a resource. */
export type Elements = ResourceObject[];

/** Reads a multi-valued attribute as a list of objects; anything else there is dropped. */
export function elementsOf(value: unknown): Elements {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/**
 * Builds the value a filter of equality tests describes, so a PATCH to
 * `emails[type eq "work"].value` can add the work address when there is none yet. Entra ID
 * sends its updates in that form. Returns undefined for filters that name no single value.
 */
export function elementFromFilter(
  parent: AttributeDefinition,
  node: FilterNode,
): ResourceObject | undefined {
  if (node.kind === 'and') {
    const left = elementFromFilter(parent, node.left);
    const right = elementFromFilter(parent, node.right);
    return left && right && { ...left, ...right };
  }
  if (node.kind !== 'compare' || node.operator !== 'eq' || node.value === null) return undefined;
  const sub = findAttribute(parent.subAttributes, node.path.name);
  if (sub === undefined || node.path.subAttribute !== undefined) return undefined;
  return { [sub.name]: coerceSingle(sub, node.value, `${parent.name}.${sub.name}`) };
}

/** Tells whether two values of a multi-valued attribute are the same value (by `value`, case per schema). */
export function sameElement(
  parent: AttributeDefinition,
  left: ResourceObject,
  right: ResourceObject,
): boolean {
  const sub = findAttribute(parent.subAttributes, 'value');
  if (sub === undefined || typeof left.value !== 'string' || typeof right.value !== 'string')
    return false;
  return foldCase(left.value, sub) === foldCase(right.value, sub);
}

/**
 * Keeps at most one value marked primary (RFC 7643 section 2.4): when several are, the last
 * one this operation touched wins, else the last in the list.
 */
export function settlePrimary(elements: Elements, touched: ReadonlySet<ResourceObject>): void {
  const primaries = elements.filter((element) => element.primary === true);
  if (primaries.length < 2) return;
  const touchedPrimaries = primaries.filter((element) => touched.has(element));
  const winner = (touchedPrimaries.length > 0 ? touchedPrimaries : primaries).at(-1);
  for (const element of primaries) {
    if (element !== winner) element.primary = false;
  }
}

/** Drops values that carry nothing but `type` and `primary`, for example after removing `.value`. */
export function dropEmptyElements(elements: Elements): Elements {
  return elements.filter((element) =>
    Object.entries(element).some(
      ([key, value]) =>
        key !== 'type' &&
        key !== 'primary' &&
        value !== undefined &&
        value !== null &&
        value !== '',
    ),
  );
}
