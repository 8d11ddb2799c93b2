import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** One validation problem of a configuration value, with the dotted path of its field. */
export interface ConfigProblem {
  path: string;
  message: string;
}

interface SchemaNode {
  type?: string;
  properties?: Record<string, TSchema>;
  required?: string[];
  additionalProperties?: boolean;
  anyOf?: TSchema[];
  description?: string;
}

/**
 * Lists every problem of `value` against `schema`. TypeBox's own error walk stops early in some
 * nested unions, so objects are walked here field by field and only leaves and unions are handed
 * to TypeBox; every field is reported, not just the first that fails.
 */
export function collectConfigProblems(schema: TSchema, value: unknown, path = ''): ConfigProblem[] {
  const node = schema as SchemaNode;
  if (node.type === 'object' && node.properties !== undefined) {
    return collectObjectProblems(node, value, path);
  }
  if (Value.Check(schema, value)) return [];
  if (node.anyOf !== undefined) {
    return [
      {
        path: displayPath(path),
        message: `is invalid: expected ${node.description ?? 'another form'}`,
      },
    ];
  }
  const first = Value.Errors(schema, value)[0];
  return [{ path: displayPath(path), message: describeLeafError(first?.message, value, path) }];
}

function collectObjectProblems(node: SchemaNode, value: unknown, path: string): ConfigProblem[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ path: displayPath(path), message: 'must be an object' }];
  }
  const record = value as Record<string, unknown>;
  const properties = node.properties ?? {};
  const problems: ConfigProblem[] = [];

  for (const key of node.required ?? []) {
    if (record[key] === undefined) problems.push({ path: join(path, key), message: 'is missing' });
  }
  if (node.additionalProperties === false) {
    for (const key of Object.keys(record)) {
      if (!(key in properties))
        problems.push({ path: join(path, key), message: 'is not a known field' });
    }
  }
  for (const [key, child] of Object.entries(properties)) {
    if (record[key] === undefined) continue;
    problems.push(...collectConfigProblems(child, record[key], join(path, key)));
  }
  return problems;
}

// Values of fields whose name ends in "password" are secrets and never echoed.
function describeLeafError(message: string | undefined, value: unknown, path: string): string {
  const text = message ?? 'is invalid';
  if (/password$/i.test(path)) return text;
  return `${text} (found ${JSON.stringify(value)})`;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function displayPath(path: string): string {
  return path === '' ? '(top level)' : path;
}
