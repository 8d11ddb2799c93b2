import { ScimError } from '../errors.ts';
import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import { coerceValue, unknownAttribute } from '../schema/coerce.ts';
import {
  coreUserSchemaId,
  enterpriseUserSchemaId,
  isIgnoredAttribute,
  resolveUserAttribute,
} from '../schema/user-schema.ts';

/**
 * Reads the User resource of a POST or PUT body into the canonical form. Attribute names match
 * in any case and may carry their schema URN; the enterprise extension may come as an object
 * under its URN. Read-only attributes (id, meta) are ignored, as RFC 7644 section 3.5.1 requires,
 * and so are the attributes UserPilot does not store. Throws invalidSyntax or invalidValue.
 */
export function readResourceBody(body: unknown): ResourceObject {
  if (!isObject(body)) {
    throw new ScimError(
      'UP_SCIM_INVALID_SYNTAX',
      'The request body must be a JSON object of a User resource.',
    );
  }
  const schemas = body.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(coreUserSchemaId))) {
    throw new ScimError(
      'UP_SCIM_INVALID_SYNTAX',
      `The body's "schemas" must list "${coreUserSchemaId}".`,
    );
  }

  const resource: ResourceObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === 'schemas') continue;
    if (key.toLowerCase() === enterpriseUserSchemaId.toLowerCase()) {
      if (!isObject(value)) throw unknownAttribute(key);
      for (const [name, item] of Object.entries(value))
        readAttribute(resource, `${enterpriseUserSchemaId}:${name}`, item);
    } else {
      readAttribute(resource, key, value);
    }
  }
  return resource;
}

function readAttribute(resource: ResourceObject, key: string, value: unknown): void {
  const colon = key.lastIndexOf(':');
  const schema = colon < 0 ? undefined : key.slice(0, colon);
  const name = key.slice(colon + 1);
  const resolved = resolveUserAttribute(schema, name);
  if (resolved === undefined) {
    if (isIgnoredAttribute(name)) return;
    throw unknownAttribute(key);
  }

  const definition = resolved.definition;
  if (definition.mutability === 'readOnly' || value === null || value === undefined) return;
  const coerced = coerceValue(definition, value, definition.name);
  if (resolved.schema === enterpriseUserSchemaId) {
    const extension = (resource[enterpriseUserSchemaId] ??= {}) as ResourceObject;
    extension[definition.name] = coerced;
  } else {
    resource[definition.name] = coerced;
  }
}
