import { isDeepStrictEqual } from 'node:util';
import { ScimError } from '../errors.ts';
import type { ResourceObject } from '../filter/evaluate.ts';
import { isObject } from '../filter/evaluate.ts';
import type { AttributeDefinition } from '../schema/attributes.ts';
import { coerceSingle, coerceValue, invalidValue } from '../schema/coerce.ts';
import { enterpriseUserSchemaId } from '../schema/user-schema.ts';
import {
  dropEmptyElements,
  elementFromFilter,
  elementsOf,
  sameElement,
  settlePrimary,
  type Elements,
} from './elements.ts';
import type { PatchTarget } from './path.ts';

export type PatchOp = 'add' | 'replace' | 'remove';

/**
 * Applies one operation to the attribute a resolved path names, changing `resource` in place.
 * The semantics are RFC 7644 section 3.5.2's; the comments below name where UserPilot accepts
 * more than the RFC because real clients send it.
 */
export function applyToTarget(
  resource: ResourceObject,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
): void {
  const container = containerOf(resource, target);
  const definition = target.attribute.definition;
  const before: unknown = structuredClone(container[definition.name]);

  if (definition.multiValued) {
    applyToMultiValued(container, op, target, value);
  } else if (target.subAttribute !== undefined) {
    applyToSubAttribute(container, op, target, target.subAttribute, value);
  } else {
    applyToSingle(container, op, target, value);
  }
  checkMutability(target, before, container[definition.name]);
  if (container !== resource && Object.keys(container).length === 0) {
    delete resource[enterpriseUserSchemaId];
  }
}

function containerOf(resource: ResourceObject, target: PatchTarget): ResourceObject {
  if (target.attribute.schema !== enterpriseUserSchemaId) return resource;
  const existing = resource[enterpriseUserSchemaId];
  if (isObject(existing)) return existing;
  const created: ResourceObject = {};
  resource[enterpriseUserSchemaId] = created;
  return created;
}

/** Rejects a change of a readOnly attribute; sending its current value again is allowed. */
function checkMutability(target: PatchTarget, before: unknown, after: unknown): void {
  const definition = target.attribute.definition;
  const readOnly =
    definition.mutability === 'readOnly' || target.subAttribute?.mutability === 'readOnly';
  if (!readOnly || isDeepStrictEqual(before, after)) return;
  throw new ScimError(
    'UP_SCIM_MUTABILITY',
    `The attribute "${target.text}" is read-only, so a PATCH cannot change it.`,
    {
      hint: 'Leave it out of the request.',
      details: { attribute: target.text },
    },
  );
}

function applyToSingle(
  container: ResourceObject,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
): void {
  const definition = target.attribute.definition;
  if (op === 'remove') {
    delete container[definition.name];
    return;
  }
  const coerced = coerceValue(definition, value, target.text);
  if (coerced === null) {
    delete container[definition.name];
  } else if (definition.type === 'complex') {
    // Both add and replace merge the sub-attributes given and keep the others (RFC 7644 3.5.2.3).
    const existing = container[definition.name];
    container[definition.name] = {
      ...(isObject(existing) ? existing : {}),
      ...(coerced as ResourceObject),
    };
  } else {
    container[definition.name] = coerced;
  }
}

function applyToSubAttribute(
  container: ResourceObject,
  op: PatchOp,
  target: PatchTarget,
  sub: AttributeDefinition,
  value: unknown,
): void {
  const definition = target.attribute.definition;
  const existing = container[definition.name];
  const object: ResourceObject = isObject(existing) ? existing : {};
  if (op === 'remove' || value === null) {
    delete object[sub.name];
  } else {
    object[sub.name] = coerceSingle(sub, value, target.text);
  }
  if (Object.keys(object).length === 0) delete container[definition.name];
  else container[definition.name] = object;
}

function applyToMultiValued(
  container: ResourceObject,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
): void {
  const definition = target.attribute.definition;
  const elements = elementsOf(container[definition.name]);
  const touched = new Set<ResourceObject>();

  let result: Elements;
  if (target.filter !== undefined) {
    result = applyToFilteredValues(elements, op, target, value, touched);
  } else if (target.subAttribute !== undefined) {
    result = applyToEverySubAttribute(elements, op, target, target.subAttribute, value, touched);
  } else {
    result = applyToWholeList(elements, op, target, value, touched);
  }

  result = dropEmptyElements(result);
  settlePrimary(result, touched);
  if (result.length === 0) delete container[definition.name];
  else container[definition.name] = result;
}

function applyToWholeList(
  elements: Elements,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
  touched: Set<ResourceObject>,
): Elements {
  const definition = target.attribute.definition;
  const incoming = (coerceValue(
    definition,
    op === 'remove' && value === undefined ? null : value,
    target.text,
  ) ?? []) as Elements;

  if (op === 'remove') {
    // A remove with a value (not in RFC 7644, sent by some clients) removes just those values.
    if (value === undefined || value === null) return [];
    return elements.filter(
      (element) => !incoming.some((gone) => sameElement(definition, element, gone)),
    );
  }
  if (op === 'replace') {
    incoming.forEach((element) => touched.add(element));
    return incoming;
  }

  // add: a value equal to one already there updates it instead of adding a duplicate.
  const result = [...elements];
  for (const element of incoming) {
    const index = result.findIndex((existing) => sameElement(definition, existing, element));
    const merged = index < 0 ? element : { ...result[index], ...element };
    if (index < 0) result.push(merged);
    else result[index] = merged;
    touched.add(merged);
  }
  return result;
}

function applyToEverySubAttribute(
  elements: Elements,
  op: PatchOp,
  target: PatchTarget,
  sub: AttributeDefinition,
  value: unknown,
  touched: Set<ResourceObject>,
): Elements {
  if (op === 'remove' || value === null) {
    return elements.map((element) => withoutKey(element, sub.name));
  }
  const coerced = coerceSingle(sub, value, target.text);
  if (elements.length === 0) elements.push({});
  return elements.map((element) => {
    const changed = { ...element, [sub.name]: coerced };
    touched.add(changed);
    return changed;
  });
}

function applyToFilteredValues(
  elements: Elements,
  op: PatchOp,
  target: PatchTarget,
  value: unknown,
  touched: Set<ResourceObject>,
): Elements {
  const filter = target.filter!;
  const definition = target.attribute.definition;
  const matched = elements.filter((element) => filter.matches(element));

  if (matched.length === 0) {
    if (op === 'remove') throw noTarget(target);
    // An add, or a replace of a value that does not exist yet, creates the value the filter
    // describes (RFC 7644 3.5.2.3 treats a replace of an absent attribute as an add).
    const base = elementFromFilter(definition, filter.node);
    if (base === undefined) throw noTarget(target);
    const created = { ...base, ...changeOf(target, value) };
    touched.add(created);
    return [...elements, created];
  }

  if (op === 'remove') {
    const sub = target.subAttribute;
    if (sub === undefined) return elements.filter((element) => !matched.includes(element));
    return elements.map((element) =>
      matched.includes(element) ? withoutKey(element, sub.name) : element,
    );
  }
  return elements.map((element) => {
    if (!matched.includes(element)) return element;
    const changed = { ...element, ...changeOf(target, value) };
    touched.add(changed);
    return changed;
  });
}

/** The sub-attributes an add or replace through a value path writes into each matched value. */
function changeOf(target: PatchTarget, value: unknown): ResourceObject {
  const sub = target.subAttribute;
  if (sub !== undefined)
    return { [sub.name]: value === null ? null : coerceSingle(sub, value, target.text) };
  const coerced = coerceSingle(target.attribute.definition, value, target.text);
  if (!isObject(coerced)) throw invalidValue(target.text, 'must be an object of sub-attributes');
  return coerced;
}

function withoutKey(element: ResourceObject, key: string): ResourceObject {
  const copy = { ...element };
  delete copy[key];
  return copy;
}

function noTarget(target: PatchTarget): ScimError {
  return new ScimError(
    'UP_SCIM_NO_TARGET',
    `The path "${target.text}" matched no value of the user.`,
    {
      hint: 'Read the user to see its current values.',
      details: { path: target.text },
    },
  );
}
