import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import { findAttribute } from '../schema/attributes.ts';
import {
  coreUserSchemaId,
  enterpriseUserSchemaId,
  resolveUserAttribute,
} from '../schema/user-schema.ts';

/** One entry of `attributes` or `excludedAttributes`, resolved against the User schema. */
interface ProjectedName {
  /** The key of the attribute's container: '' for core attributes, else the extension URN. */
  readonly container: string;
  /** The attribute's schema name, or undefined for the whole extension. */
  readonly name: string | undefined;
  readonly subAttribute: string | undefined;
}

export interface Projection {
  readonly attributes: readonly ProjectedName[] | undefined;
  readonly excludedAttributes: readonly ProjectedName[] | undefined;
}

/** Attributes every response carries, whatever the projection (RFC 7643 `returned: always`). */
const alwaysReturned = new Set(['id', 'schemas']);

/**
 * Reads the `attributes` and `excludedAttributes` parameters: comma-separated attribute paths,
 * with or without schema URN, in any case. Names the User resource does not have are ignored, as
 * RFC 7644 section 3.4.2.5 allows.
 */
export function readProjection(
  attributes: string | undefined,
  excludedAttributes: string | undefined,
): Projection {
  return { attributes: readNames(attributes), excludedAttributes: readNames(excludedAttributes) };
}

function readNames(list: string | undefined): ProjectedName[] | undefined {
  if (list === undefined || list.trim() === '') return undefined;
  return list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .flatMap((item) => {
      const name = resolveName(item);
      return name === undefined ? [] : [name];
    });
}

function resolveName(text: string): ProjectedName | undefined {
  if (text.toLowerCase() === enterpriseUserSchemaId.toLowerCase()) {
    return { container: enterpriseUserSchemaId, name: undefined, subAttribute: undefined };
  }
  const colon = text.lastIndexOf(':');
  const schema = colon < 0 ? undefined : text.slice(0, colon);
  const [name = '', subName, extra] = text.slice(colon + 1).split('.');
  if (extra !== undefined) return undefined;
  if (name.toLowerCase() === 'schemas' && schema === undefined)
    return { container: '', name: 'schemas', subAttribute: undefined };

  const resolved = resolveUserAttribute(schema, name);
  if (resolved === undefined) return undefined;
  const sub =
    subName === undefined ? undefined : findAttribute(resolved.definition.subAttributes, subName);
  if (subName !== undefined && sub === undefined) return undefined;
  return {
    container: resolved.schema === enterpriseUserSchemaId ? enterpriseUserSchemaId : '',
    name: resolved.definition.name,
    subAttribute: sub?.name,
  };
}

/** Applies a projection to a full User resource and returns the projected copy. */
export function projectResource(resource: ResourceObject, projection: Projection): ResourceObject {
  let result: ResourceObject;
  if (projection.attributes !== undefined) {
    result = includeOnly(resource, projection.attributes);
  } else {
    result = structuredClone(resource);
    for (const name of projection.excludedAttributes ?? []) exclude(result, name);
  }
  const extension = result[enterpriseUserSchemaId];
  if (isObject(extension) && Object.keys(extension).length === 0)
    delete result[enterpriseUserSchemaId];
  result.schemas =
    result[enterpriseUserSchemaId] === undefined
      ? [coreUserSchemaId]
      : [coreUserSchemaId, enterpriseUserSchemaId];
  return result;
}

function includeOnly(resource: ResourceObject, names: readonly ProjectedName[]): ResourceObject {
  const result: ResourceObject = {};
  for (const key of alwaysReturned)
    if (resource[key] !== undefined) result[key] = structuredClone(resource[key]);

  for (const name of names) {
    const source = containerIn(resource, name.container);
    if (source === undefined) continue;
    const target =
      name.container === '' ? result : ((result[name.container] ??= {}) as ResourceObject);
    if (name.name === undefined) {
      Object.assign(target, structuredClone(source));
    } else if (name.subAttribute === undefined) {
      if (source[name.name] !== undefined) target[name.name] = structuredClone(source[name.name]);
    } else {
      includeSubAttribute(source, target, name.name, name.subAttribute);
    }
  }
  return result;
}

function includeSubAttribute(
  source: ResourceObject,
  target: ResourceObject,
  name: string,
  sub: string,
): void {
  const value = source[name];
  if (Array.isArray(value)) {
    const existing = Array.isArray(target[name])
      ? (target[name] as ResourceObject[])
      : value.map(() => ({}));
    target[name] = value.map((element, index) => ({
      ...existing[index],
      ...(isObject(element) && element[sub] !== undefined ? { [sub]: element[sub] } : {}),
    }));
  } else if (isObject(value) && value[sub] !== undefined) {
    target[name] = { ...(isObject(target[name]) ? target[name] : {}), [sub]: value[sub] };
  }
}

function exclude(resource: ResourceObject, name: ProjectedName): void {
  if (name.name !== undefined && alwaysReturned.has(name.name) && name.container === '') return;
  if (name.name === undefined) {
    delete resource[name.container];
    return;
  }
  const container = containerIn(resource, name.container);
  if (container === undefined) return;
  const value = container[name.name];
  if (name.subAttribute === undefined) {
    delete container[name.name];
  } else if (Array.isArray(value)) {
    for (const element of value) if (isObject(element)) delete element[name.subAttribute];
  } else if (isObject(value)) {
    delete value[name.subAttribute];
  }
}

function containerIn(resource: ResourceObject, container: string): ResourceObject | undefined {
  if (container === '') return resource;
  const value = resource[container];
  return isObject(value) ? value : undefined;
}
