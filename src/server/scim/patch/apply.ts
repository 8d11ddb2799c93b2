import { captureScimError, ScimError, type ScimResult } from '../errors.ts';
import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import { scimLimits } from '../filter/limits.ts';
import { invalidValue } from '../schema/coerce.ts';
import { enterpriseUserSchemaId } from '../schema/user-schema.ts';
import { applyToTarget, type PatchOp } from './operations.ts';
import { resolvePatchPath, type ResolvedPath } from './path.ts';

export const patchOpSchema = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOperation {
  readonly op: PatchOp;
  readonly path: string | undefined;
  readonly value: unknown;
}

/**
 * Reads a PATCH request body (RFC 7644 section 3.5.2). Operation names are accepted in any
 * case ("Replace", "Add"), as Entra ID sends them. Throws an invalidSyntax ScimError.
 */
export function readPatchRequest(body: unknown): PatchOperation[] {
  if (!isObject(body)) throw invalidSyntax('The PATCH body must be a JSON object.');
  const schemas = body.schemas;
  if (schemas !== undefined && !(Array.isArray(schemas) && schemas.includes(patchOpSchema))) {
    throw invalidSyntax(`The PATCH body's "schemas" must list "${patchOpSchema}".`);
  }

  const key = Object.keys(body).find((name) => name.toLowerCase() === 'operations');
  const operations = key === undefined ? undefined : body[key];
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax(
      'The PATCH body must have an "Operations" array with at least one operation.',
    );
  }
  const limit = scimLimits.maxPatchOperations;
  if (operations.length > limit) {
    throw new ScimError(
      'UP_SCIM_TOO_MANY',
      `The PATCH body has ${operations.length} operations, more than the limit of ${limit}.`,
      {
        hint: 'Split the changes over several PATCH requests.',
        details: { limit, count: operations.length },
      },
    );
  }
  return operations.map((operation, index) => readOperation(operation, index));
}

function readOperation(operation: unknown, index: number): PatchOperation {
  const where = `Operations[${index}]`;
  if (!isObject(operation)) throw invalidSyntax(`${where} must be an object.`);
  const op = typeof operation.op === 'string' ? operation.op.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw invalidSyntax(
      `${where}.op must be "add", "replace" or "remove", not ${JSON.stringify(operation.op)}.`,
    );
  }

  const path = operation.path;
  if (path !== undefined && (typeof path !== 'string' || path.trim() === '')) {
    throw invalidSyntax(`${where}.path must be a non-empty string.`);
  }
  if (op !== 'remove' && !('value' in operation)) {
    throw invalidSyntax(`${where} is an "${op}", so it needs a "value".`);
  }
  if (op === 'remove' && path === undefined) {
    throw new ScimError('UP_SCIM_NO_TARGET', `${where} is a "remove" without a "path".`, {
      hint: 'Name the attribute to remove in "path".',
    });
  }
  return { op, path, value: operation.value };
}

/**
 * Applies PATCH operations to a copy of a resource in the canonical form and returns the copy.
 * Operations apply in order and all or none succeed: the caller stores only a returned copy.
 */
export function applyPatch(
  resource: ResourceObject,
  operations: readonly PatchOperation[],
): ResourceObject {
  const result = structuredClone(resource);
  for (const operation of operations) {
    if (operation.path === undefined) applyWithoutPath(result, operation);
    else applyAtPath(result, operation.op, resolvePatchPath(operation.path), operation.value);
  }
  return result;
}

/** Reads and applies a PATCH request body, or returns the SCIM error. */
export function patchResource(resource: ResourceObject, body: unknown): ScimResult<ResourceObject> {
  return captureScimError(() => applyPatch(resource, readPatchRequest(body)));
}

function applyAtPath(
  resource: ResourceObject,
  op: PatchOp,
  path: ResolvedPath,
  value: unknown,
): void {
  switch (path.kind) {
    case 'ignored':
      return;
    case 'extension':
      if (op === 'remove') {
        delete resource[enterpriseUserSchemaId];
        return;
      }
      applyEach(resource, op, value, `${enterpriseUserSchemaId}:`, path.text);
      return;
    case 'attribute':
      applyToTarget(resource, op, path, value);
  }
}

/**
 * Applies an add or replace without a path: each key of the value object is a path of its own.
 * Keys may carry a schema URN, name a sub-attribute (`name.givenName`, as Entra ID sends), or
 * be the enterprise extension's URN with an object of its attributes. `schemas` is skipped.
 */
function applyWithoutPath(resource: ResourceObject, operation: PatchOperation): void {
  applyEach(resource, operation.op, operation.value, '', 'value');
}

function applyEach(
  resource: ResourceObject,
  op: PatchOp,
  value: unknown,
  prefix: string,
  label: string,
): void {
  if (!isObject(value))
    throw invalidValue(label, 'must be an object of attributes when the operation has no path');
  for (const [key, item] of Object.entries(value)) {
    if (prefix === '' && key.toLowerCase() === 'schemas') continue;
    applyAtPath(resource, op, resolvePatchPath(`${prefix}${key}`), item);
  }
}

function invalidSyntax(message: string): ScimError {
  return new ScimError('UP_SCIM_INVALID_SYNTAX', message, {
    hint: `Send {"schemas":["${patchOpSchema}"],"Operations":[{"op":"replace","path":"...","value":...}]}.`,
  });
}
