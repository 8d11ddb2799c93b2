import { captureScimError, type ScimResult } from '../errors.ts';
import { findAttribute, type AttributeDefinition } from '../schema/attributes.ts';
import {
  enterpriseUserSchemaId,
  isIgnoredAttribute,
  resolveUserAttribute,
} from '../schema/user-schema.ts';
import type { AttributePath, CompareOperator, FilterLiteral, FilterNode } from './ast.ts';
import { FilterParser, parseFilter } from './parser.ts';
import { filterError } from './tokenizer.ts';
import { compareValues, foldCase, isPresent, parseDateTime } from './values.ts';

export type ResourceObject = Record<string, unknown>;

/** A compiled filter: whether a User resource (or, inside a value path, one value) matches. */
export type Predicate = (target: ResourceObject) => boolean;

/** An attribute a filter reads: its leaf definition and how to read its values from a target. */
export interface FilterTarget {
  readonly definition: AttributeDefinition;
  /** Every value at the path, multi-valued attributes flattened, absent values left out. */
  readonly read: (target: ResourceObject) => unknown[];
}

/** The lookup scope of paths: the User resource, or the sub-attributes of one value path. */
type Scope = { kind: 'resource' } | { kind: 'element'; parent: AttributeDefinition };

/**
 * Compiles a parsed filter against the User schema. Throws an invalidFilter ScimError that names
 * the position for an unknown attribute, or a value or operator that does not fit the
 * attribute's type. `input` is the filter text, for those messages.
 */
export function compileFilter(
  input: string,
  node: FilterNode,
  scope: Scope = { kind: 'resource' },
): Predicate {
  switch (node.kind) {
    case 'and': {
      const left = compileFilter(input, node.left, scope);
      const right = compileFilter(input, node.right, scope);
      return (target) => left(target) && right(target);
    }
    case 'or': {
      const left = compileFilter(input, node.left, scope);
      const right = compileFilter(input, node.right, scope);
      return (target) => left(target) || right(target);
    }
    case 'not': {
      const operand = compileFilter(input, node.operand, scope);
      return (target) => !operand(target);
    }
    case 'present': {
      const target = resolveTarget(input, node.path, scope, false);
      return (object) => target.read(object).some(isPresent);
    }
    case 'compare':
      return compileComparison(input, node, scope);
    case 'valuePath':
      return compileValuePath(input, node.path, node.filter, scope);
  }
}

function compileValuePath(
  input: string,
  path: AttributePath,
  filter: FilterNode,
  scope: Scope,
): Predicate {
  if (scope.kind === 'element' || path.subAttribute !== undefined) {
    throw filterError(
      input,
      path.position,
      `"${path.text}[...]" is not a value path of a top-level attribute`,
    );
  }
  const target = resolveTarget(input, path, scope, false);
  if (target.definition.type !== 'complex') {
    throw filterError(
      input,
      path.position,
      `"${path.text}" is not a complex attribute, so it takes no "[...]" filter`,
    );
  }
  const inner = compileFilter(input, filter, { kind: 'element', parent: target.definition });
  return (object) => target.read(object).some((value) => isObject(value) && inner(value));
}

function compileComparison(
  input: string,
  node: Extract<FilterNode, { kind: 'compare' }>,
  scope: Scope,
): Predicate {
  const target = resolveTarget(input, node.path, scope, true);
  const literal = checkLiteral(input, node, target.definition);
  const definition = target.definition;

  if (literal === null) {
    const negate = node.operator === 'ne';
    return (object) => target.read(object).some(isPresent) === negate;
  }
  if (node.operator === 'ne') {
    return (object) =>
      !target.read(object).some((value) => matches('eq', definition, value, literal));
  }
  return (object) =>
    target.read(object).some((value) => matches(node.operator, definition, value, literal));
}

function matches(
  operator: CompareOperator,
  definition: AttributeDefinition,
  value: unknown,
  literal: FilterLiteral,
): boolean {
  if (value === null || value === undefined) return false;
  switch (operator) {
    case 'eq':
    case 'ne':
      return compareValues(definition, value, literal) === 0 && typeof value === typeof literal;
    case 'co':
      return (
        typeof value === 'string' &&
        foldCase(value, definition).includes(foldCase(String(literal), definition))
      );
    case 'sw':
      return (
        typeof value === 'string' &&
        foldCase(value, definition).startsWith(foldCase(String(literal), definition))
      );
    case 'ew':
      return (
        typeof value === 'string' &&
        foldCase(value, definition).endsWith(foldCase(String(literal), definition))
      );
    case 'gt':
      return compareValues(definition, value, literal) > 0;
    case 'ge':
      return compareValues(definition, value, literal) >= 0;
    case 'lt':
      return compareValues(definition, value, literal) < 0;
    case 'le':
      return compareValues(definition, value, literal) <= 0;
  }
}

/** Checks that the operator and literal fit the attribute's type; returns the literal to compare,
 * with the strings "true" and "false" read as booleans for a boolean attribute. */
function checkLiteral(
  input: string,
  node: Extract<FilterNode, { kind: 'compare' }>,
  definition: AttributeDefinition,
): FilterLiteral {
  const { operator, value, path } = node;
  const fail = (problem: string): never => {
    throw filterError(input, node.valuePosition, problem);
  };
  if (value === null) {
    if (operator !== 'eq' && operator !== 'ne') fail(`null can only be compared with "eq" or "ne"`);
    return null;
  }

  const ordering = ['gt', 'ge', 'lt', 'le'].includes(operator);
  const substring = ['co', 'sw', 'ew'].includes(operator);
  switch (definition.type) {
    case 'boolean': {
      if (ordering || substring)
        fail(`"${path.text}" is boolean, so only "eq", "ne" and "pr" apply`);
      const flag = typeof value === 'string' ? value.toLowerCase() : value;
      if (flag === 'true' || flag === true) return true;
      if (flag === 'false' || flag === false) return false;
      return fail(`"${path.text}" is boolean, so the value must be true or false`);
    }
    case 'dateTime':
      if (substring) fail(`"${path.text}" is a dateTime, so "co", "sw" and "ew" do not apply`);
      if (parseDateTime(value) === undefined) {
        fail(
          `"${path.text}" is a dateTime, so the value must be a quoted RFC 3339 time such as "2026-01-31T12:00:00Z"`,
        );
      }
      return value;
    case 'integer':
    case 'decimal':
      if (substring) fail(`"${path.text}" is a number, so "co", "sw" and "ew" do not apply`);
      if (typeof value !== 'number')
        fail(`"${path.text}" is a number, so the value must be a number`);
      return value;
    default:
      if (typeof value !== 'string')
        fail(`"${path.text}" is a string, so the value must be a quoted string`);
      return value;
  }
}

/** Resolves a path in a scope. With `comparing`, a complex attribute stands for its `value`. */
function resolveTarget(
  input: string,
  path: AttributePath,
  scope: Scope,
  comparing: boolean,
): FilterTarget {
  const fail = (problem: string): never => {
    throw filterError(input, path.position, problem);
  };
  if (scope.kind === 'element') {
    if (path.schema !== undefined || path.subAttribute !== undefined) {
      fail(`inside "[...]" name a sub-attribute of "${scope.parent.name}" only, such as "type"`);
    }
    const definition = findAttribute(scope.parent.subAttributes, path.name);
    if (definition === undefined) {
      return fail(
        unknownMessage(`${scope.parent.name}.${path.name}`, scope.parent.name, path.name),
      );
    }
    return { definition, read: (element) => flatten([element[definition.name]]) };
  }

  const resolved = resolveUserAttribute(path.schema, path.name);
  if (resolved === undefined) return fail(unknownMessage(path.text, path.name, path.subAttribute));
  const top = resolved.definition;
  if (top.returned === 'never')
    fail(`"${path.text}" is write-only, so it cannot be used in a filter`);
  const container =
    resolved.schema === enterpriseUserSchemaId
      ? enterpriseContainer
      : (object: ResourceObject) => object;
  const readTop = (object: ResourceObject): unknown[] => flatten([container(object)?.[top.name]]);

  let subName = path.subAttribute;
  if (subName === undefined && comparing && top.type === 'complex') {
    if (findAttribute(top.subAttributes, 'value') === undefined) {
      fail(
        `"${path.text}" is complex: compare one of its sub-attributes, such as "${top.name}.${top.subAttributes?.[0]?.name ?? 'value'}"`,
      );
    }
    subName = 'value';
  }
  if (subName === undefined) return { definition: top, read: readTop };

  const sub = findAttribute(top.subAttributes, subName);
  if (sub === undefined) return fail(unknownMessage(path.text, top.name, subName));
  return {
    definition: sub,
    read: (object) =>
      flatten(readTop(object).map((value) => (isObject(value) ? value[sub.name] : undefined))),
  };
}

function unknownMessage(text: string, name: string, subAttribute: string | undefined): string {
  return isIgnoredAttribute(name, subAttribute)
    ? `"${text}" cannot be filtered on, because UserPilot does not store it`
    : `"${text}" is not an attribute of the User resource`;
}

function enterpriseContainer(object: ResourceObject): ResourceObject | undefined {
  const extension = object[enterpriseUserSchemaId];
  return isObject(extension) ? extension : undefined;
}

function flatten(values: unknown[]): unknown[] {
  return values
    .flatMap((value): unknown[] => (Array.isArray(value) ? (value as unknown[]) : [value]))
    .filter((value) => value !== undefined && value !== null);
}

export function isObject(value: unknown): value is ResourceObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and compiles filter text, or returns the invalidFilter error. */
export function buildFilter(input: string): ScimResult<Predicate> {
  const parsed = parseFilter(input);
  if (!parsed.ok) return parsed;
  return captureScimError(() => compileFilter(input, parsed.value));
}

/**
 * Resolves one attribute path, as `sortBy` names it, to its definition and a reader of its
 * values; a complex attribute such as `emails` stands for its `value`.
 */
export function compileAttributeReader(input: string): ScimResult<FilterTarget> {
  return captureScimError(() => {
    const parser = new FilterParser(input);
    const path = parser.parsePath(parser.next());
    parser.expectEnd();
    return resolveTarget(input, path, { kind: 'resource' }, true);
  });
}
