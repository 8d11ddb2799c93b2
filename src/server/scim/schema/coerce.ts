import { ScimError } from '../errors.ts';
import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import { parseDateTime } from '../filter/values.ts';
import { findAttribute, type AttributeDefinition } from './attributes.ts';
import { isIgnoredAttribute } from './user-schema.ts';

/**
 * Converts a value a client sent for one attribute into its canonical form: sub-attribute keys
 * in the schema's spelling, a single object for a multi-valued attribute wrapped in an array, and
 * the strings "True" and "False" (any case, as Entra ID sends them) read as booleans. `null`
 * stays null and means "unassigned". Throws an invalidValue ScimError naming the attribute.
 */
export function coerceValue(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
): unknown {
  if (value === null) return null;
  if (definition.multiValued) {
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    return values.map((item) => coerceSingle(definition, item, label));
  }
  if (Array.isArray(value)) {
    throw invalidValue(label, 'is single-valued, so the value must not be an array');
  }
  return coerceSingle(definition, value, label);
}

/** Converts one value of a (possibly multi-valued) attribute. */
export function coerceSingle(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
): unknown {
  switch (definition.type) {
    case 'complex':
      return coerceComplex(definition, value, label);
    case 'boolean':
      return coerceBoolean(value, label);
    case 'dateTime':
      if (parseDateTime(value) === undefined)
        throw invalidValue(label, 'must be an RFC 3339 dateTime string');
      return value;
    case 'integer':
    case 'decimal':
      if (typeof value !== 'number') throw invalidValue(label, 'must be a number');
      return value;
    default:
      if (typeof value !== 'string')
        throw invalidValue(label, `must be a string, not ${describeType(value)}`);
      return value;
  }
}

function coerceComplex(
  definition: AttributeDefinition,
  value: unknown,
  label: string,
): ResourceObject | null {
  if (value === null) return null;
  // Entra ID sends the enterprise manager as the bare id string; it means `{ "value": id }`.
  const hasValue = findAttribute(definition.subAttributes, 'value') !== undefined;
  if (typeof value === 'string' && !definition.multiValued && hasValue) return { value };
  if (!isObject(value))
    throw invalidValue(
      label,
      `is complex, so the value must be an object, not ${describeType(value)}`,
    );

  const result: ResourceObject = {};
  for (const [key, item] of Object.entries(value)) {
    const sub = findAttribute(definition.subAttributes, key);
    if (sub === undefined) {
      if (isIgnoredAttribute(definition.name, key)) continue;
      throw unknownAttribute(`${label}.${key}`);
    }
    if (item === null || item === undefined) continue;
    result[sub.name] = coerceSingle(sub, item, `${label}.${sub.name}`);
  }
  return result;
}

function coerceBoolean(value: unknown, label: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true') return true;
    if (text === 'false') return false;
  }
  throw invalidValue(label, `must be true or false, not ${JSON.stringify(value)}`);
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `the ${typeof value} ${JSON.stringify(value)}`;
}

export function invalidValue(label: string, problem: string): ScimError {
  return new ScimError(
    'UP_SCIM_INVALID_VALUE',
    `The value of "${label}" is invalid: it ${problem}.`,
    {
      details: { attribute: label },
    },
  );
}

export function unknownAttribute(label: string): ScimError {
  return new ScimError(
    'UP_SCIM_INVALID_VALUE',
    `"${label}" is not an attribute of the User resource.`,
    {
      details: { attribute: label },
    },
  );
}
