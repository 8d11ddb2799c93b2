import { ScimError } from '../errors.ts';
import type { AttributePath, FilterNode } from '../filter/ast.ts';
import { compileFilter, type Predicate } from '../filter/evaluate.ts';
import { scimLimits } from '../filter/limits.ts';
import { FilterParser } from '../filter/parser.ts';
import { filterErrorPrefix } from '../filter/tokenizer.ts';
import { findAttribute, type AttributeDefinition } from '../schema/attributes.ts';
import {
  enterpriseUserSchemaId,
  isIgnoredAttribute,
  resolveUserAttribute,
  type ResolvedAttribute,
} from '../schema/user-schema.ts';

/** A resolved PATCH path: `attribute[filter].subAttribute`, each part but the first optional. */
export interface PatchTarget {
  readonly kind: 'attribute';
  readonly text: string;
  readonly attribute: ResolvedAttribute;
  /** The value filter of a multi-valued attribute and its tree, when the path has one. */
  readonly filter: { readonly node: FilterNode; readonly matches: Predicate } | undefined;
  readonly subAttribute: AttributeDefinition | undefined;
}

/** A path that names the whole enterprise extension, whose value is an object of its attributes. */
export interface ExtensionTarget {
  readonly kind: 'extension';
  readonly text: string;
}

/** A path to an attribute UserPilot accepts and drops (see ignoredAttributes). */
export interface IgnoredTarget {
  readonly kind: 'ignored';
  readonly text: string;
}

export type ResolvedPath = PatchTarget | ExtensionTarget | IgnoredTarget;

/**
 * Parses and resolves a PATCH path (RFC 7644 section 3.5.2: `attrPath` or `valuePath
 * [subAttr]`). Throws an invalidPath ScimError for a malformed path or an unknown attribute.
 */
export function resolvePatchPath(text: string): ResolvedPath {
  checkPathLength(text);
  if (text.trim().toLowerCase() === enterpriseUserSchemaId.toLowerCase()) {
    return { kind: 'extension', text };
  }
  try {
    return resolveParsed(text);
  } catch (error) {
    if (!(error instanceof ScimError) || error.code !== 'UP_SCIM_INVALID_FILTER') throw error;
    const message = error.message.replace(
      filterErrorPrefix,
      `The path ${JSON.stringify(text)} is invalid`,
    );
    throw new ScimError('UP_SCIM_INVALID_PATH', message, { details: { ...error.details } });
  }
}

/** Throws invalidPath for a path over the length limit, quoting only its start. */
function checkPathLength(text: string): void {
  const limit = scimLimits.maxPathLength;
  if (text.length <= limit) return;
  throw new ScimError(
    'UP_SCIM_INVALID_PATH',
    `The path ${JSON.stringify(text.slice(0, 24) + '...')} is invalid: it is ${text.length} characters long, more than the limit of ${limit}.`,
    { details: { limit, length: text.length } },
  );
}

function resolveParsed(text: string): ResolvedPath {
  const parser = new FilterParser(text);
  const path = parser.parsePath(parser.next());
  let subName = path.subAttribute;
  let node: FilterNode | undefined;

  if (parser.peek().kind === '[') {
    parser.next();
    node = parser.parseValueFilter(path);
    if (path.subAttribute !== undefined) {
      throw invalidPath(text, 'a value filter may follow a top-level attribute only');
    }
    if (parser.peek().kind === '.') {
      parser.next();
      const sub = parser.next();
      if (sub.kind !== 'word' || sub.text.includes('.') || sub.text.includes(':')) {
        throw invalidPath(text, 'expected one sub-attribute name after "]."');
      }
      subName = sub.text;
    }
  }
  parser.expectEnd();
  return finish(text, path, subName, node);
}

function finish(
  text: string,
  path: AttributePath,
  subName: string | undefined,
  node: FilterNode | undefined,
): ResolvedPath {
  const attribute = resolveUserAttribute(path.schema, path.name);
  if (attribute === undefined) {
    if (path.schema === undefined && isIgnoredAttribute(path.name, subName))
      return { kind: 'ignored', text };
    throw invalidPath(text, `"${path.name}" is not an attribute of the User resource`);
  }

  const definition = attribute.definition;
  let subAttribute: AttributeDefinition | undefined;
  if (subName !== undefined) {
    if (isIgnoredAttribute(definition.name, subName)) return { kind: 'ignored', text };
    subAttribute = findAttribute(definition.subAttributes, subName);
    if (subAttribute === undefined)
      throw invalidPath(
        text,
        `"${definition.name}.${subName}" is not an attribute of the User resource`,
      );
  }

  if (node === undefined)
    return { kind: 'attribute', text, attribute, filter: undefined, subAttribute };
  if (!definition.multiValued || definition.type !== 'complex') {
    throw invalidPath(
      text,
      `"${definition.name}" is not a multi-valued complex attribute, so it takes no "[...]" filter`,
    );
  }
  const matches = compileFilter(text, node, { kind: 'element', parent: definition });
  return { kind: 'attribute', text, attribute, filter: { node, matches }, subAttribute };
}

export function invalidPath(text: string, problem: string): ScimError {
  return new ScimError(
    'UP_SCIM_INVALID_PATH',
    `The path ${JSON.stringify(text)} is invalid: ${problem}.`,
  );
}
