import { ScimError } from '../errors.ts';
import { filterErrorPrefix, type Token } from './tokenizer.ts';

/**
 * The size limits of filters and PATCH paths. They bound the work of one request and, because
 * the parser recurses once per nesting level, the stack depth it can reach.
 */
export const scimLimits = {
  /**
   * Characters in a `filter` parameter or a `.search` body's filter. It also bounds `and` and
   * `or` chains (a term takes at least 8 characters), whose left-deep trees the evaluator walks
   * recursively.
   */
  maxFilterLength: 4096,
  /** Characters in a PATCH operation's `path`. */
  maxPathLength: 1024,
  /** Levels of `(` and `[` open at once. `not` takes a `(`, so it counts through it. */
  maxNestingDepth: 32,
  /** Operations in one PATCH request. */
  maxPatchOperations: 1000,
} as const;

/** Throws invalidFilter when `input` is longer than the filter length limit. */
export function checkFilterLength(input: string): void {
  if (input.length <= scimLimits.maxFilterLength) return;
  throw new ScimError(
    'UP_SCIM_INVALID_FILTER',
    `${filterErrorPrefix}: it is ${input.length} characters long, more than the limit of ${scimLimits.maxFilterLength}.`,
    {
      hint: 'Send a shorter filter, or split the query over several requests.',
      details: { limit: scimLimits.maxFilterLength, length: input.length },
    },
  );
}

/**
 * Throws invalidFilter when the tokens nest `(` and `[` deeper than the limit. The scan is a
 * loop, so it runs before the recursive parser and reports the deepest level of the input.
 */
export function checkNestingDepth(tokens: readonly Token[]): void {
  let depth = 0;
  let deepest = 0;
  for (const token of tokens) {
    if (token.kind === '(' || token.kind === '[') {
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (token.kind === ')' || token.kind === ']') {
      depth -= 1;
    }
  }
  if (deepest <= scimLimits.maxNestingDepth) return;
  throw new ScimError(
    'UP_SCIM_INVALID_FILTER',
    `${filterErrorPrefix}: it nests parentheses and brackets ${deepest} levels deep, more than the limit of ${scimLimits.maxNestingDepth}.`,
    {
      hint: 'Remove redundant parentheses, or split the query over several requests.',
      details: { limit: scimLimits.maxNestingDepth, depth: deepest },
    },
  );
}
