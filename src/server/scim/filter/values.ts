import { keyOf } from '../../../hosted/keys.ts';
import type { AttributeDefinition } from '../schema/attributes.ts';

/** Folds a string for comparison when the attribute is not caseExact, as the hosted service
 * folds UPNs and addresses (NFC, then lower case). */
export function foldCase(value: string, definition: AttributeDefinition): string {
  return definition.caseExact ? value : keyOf(value);
}

/** Parses an RFC 3339 dateTime into epoch milliseconds, or undefined when it is not one. */
export function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    return undefined;
  }
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/**
 * Orders two attribute values of the same definition: negative, zero or positive. Strings
 * compare by UTF-16 code units after case folding, dateTimes by instant, booleans false first.
 */
export function compareValues(
  definition: AttributeDefinition,
  left: unknown,
  right: unknown,
): number {
  if (definition.type === 'dateTime') {
    return (parseDateTime(left) ?? 0) - (parseDateTime(right) ?? 0);
  }
  if (typeof left === 'number' && typeof right === 'number') return left - right;
  if (typeof left === 'boolean' && typeof right === 'boolean') return Number(left) - Number(right);
  const a = foldCase(String(left), definition);
  const b = foldCase(String(right), definition);
  if (a < b) return -1;
  return a > b ? 1 : 0;
}

/** Tells whether a value counts as present for `pr`: not null, not an empty string, array or object. */
export function isPresent(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.some(isPresent);
  if (typeof value === 'object') return Object.values(value).some(isPresent);
  return true;
}
