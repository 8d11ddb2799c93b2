import { captureScimError, type ScimResult } from '../errors.ts';
import {
  compareOperators,
  type AttributePath,
  type CompareOperator,
  type FilterLiteral,
  type FilterNode,
} from './ast.ts';
import { checkFilterLength, checkNestingDepth } from './limits.ts';
import { filterError, tokenize, type Token } from './tokenizer.ts';

const attributeName = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;
const operatorNames: ReadonlySet<string> = new Set(compareOperators);
const operatorList = [...compareOperators, 'pr'].join(', ');

/**
 * A recursive-descent parser of the RFC 7644 filter grammar. It recurses once per `(` or `[`,
 * and the constructor rejects input nested deeper than scimLimits.maxNestingDepth, so the
 * stack stays shallow; `and` and `or` chains are loops. Precedence, from tightest: `not`,
 * `and`, `or`; parentheses group. Keywords, operators and attribute names are case-insensitive,
 * so keywords are compared lower-cased and paths keep their spelling for the schema lookup.
 */
export class FilterParser {
  private readonly tokens: Token[];
  private index = 0;
  private valuePathDepth = 0;

  /** Tokenizes `input`; throws invalidFilter when it breaks a limit of filter/limits.ts. */
  constructor(private readonly input: string) {
    checkFilterLength(input);
    this.tokens = tokenize(input);
    checkNestingDepth(this.tokens);
  }

  /** Parses the whole input as one filter. */
  parseFilter(): FilterNode {
    const filter = this.parseOr();
    this.expectEnd();
    return filter;
  }

  /** Returns the next token without consuming it. */
  peek(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') {
      throw this.error(
        token,
        `expected "and", "or" or the end of the filter, found ${describe(token)}`,
      );
    }
  }

  error(token: Token, problem: string): Error {
    return filterError(this.input, token.position, problem);
  }

  /** Parses `filter` inside `[...]`, after the `[` was consumed, and consumes the `]`. */
  parseValueFilter(path: AttributePath): FilterNode {
    if (this.valuePathDepth > 0) {
      throw filterError(
        this.input,
        path.position,
        'a value path cannot contain another value path',
      );
    }
    this.valuePathDepth += 1;
    const filter = this.parseOr();
    this.valuePathDepth -= 1;
    const close = this.next();
    if (close.kind !== ']') throw this.error(close, `expected "]", found ${describe(close)}`);
    return filter;
  }

  /** Parses an attribute path from a word token. */
  parsePath(token: Token): AttributePath {
    if (token.kind !== 'word') {
      throw this.error(token, `expected an attribute name, found ${describe(token)}`);
    }
    return splitPath(this.input, token);
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const token = this.peek();
    if (isKeyword(token, 'not')) {
      this.next();
      const open = this.peek();
      if (open.kind !== '(')
        throw this.error(open, `expected "(" after "not", found ${describe(open)}`);
      return { kind: 'not', operand: this.parseGroup() };
    }
    if (token.kind === '(') return this.parseGroup();
    return this.parseAttributeExpression();
  }

  private parseGroup(): FilterNode {
    this.next();
    const inner = this.parseOr();
    const close = this.next();
    if (close.kind !== ')') throw this.error(close, `expected ")", found ${describe(close)}`);
    return inner;
  }

  private parseAttributeExpression(): FilterNode {
    const path = this.parsePath(this.next());
    const token = this.next();
    if (token.kind === '[') return { kind: 'valuePath', path, filter: this.parseValueFilter(path) };

    const operator = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (operator === 'pr') return { kind: 'present', path };
    if (!operatorNames.has(operator)) {
      throw this.error(
        token,
        `expected an operator (${operatorList}) after "${path.text}", found ${describe(token)}`,
      );
    }

    const valueToken = this.next();
    return {
      kind: 'compare',
      path,
      operator: operator as CompareOperator,
      value: this.literal(valueToken, operator),
      valuePosition: valueToken.position,
    };
  }

  private literal(token: Token, operator: string): FilterLiteral {
    if (token.kind === 'string' || token.kind === 'number') return token.value!;
    if (token.kind === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw this.error(
      token,
      `expected a value (a quoted string, a number, true, false or null) after "${operator}", found ${describe(token)}`,
    );
  }
}

/** Parses a SCIM filter into its syntax tree, or returns the invalidFilter error. */
export function parseFilter(input: string): ScimResult<FilterNode> {
  return captureScimError(() => {
    if (input.trim() === '') throw filterError(input, 0, 'the filter is empty');
    return new FilterParser(input).parseFilter();
  });
}

function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the filter' : JSON.stringify(token.text);
}

/** Splits `[URN ":"] name ["." sub]`; the URN ends at the last colon, since it contains dots. */
function splitPath(input: string, token: Token): AttributePath {
  const text = token.text;
  const colon = text.lastIndexOf(':');
  const schema = colon < 0 ? undefined : text.slice(0, colon);
  if (schema !== undefined && !schema.toLowerCase().startsWith('urn:')) {
    throw filterError(
      input,
      token.position,
      `"${text}" is not an attribute path: only a schema URN may contain ":"`,
    );
  }

  const parts = text.slice(colon + 1).split('.');
  const [name, subAttribute, extra] = parts;
  const invalid = parts.find((part) => !attributeName.test(part));
  if (name === undefined || extra !== undefined || invalid !== undefined) {
    throw filterError(
      input,
      token.position,
      `"${text}" is not an attribute path of the form name or name.subAttribute`,
    );
  }
  return { schema, name, subAttribute, position: token.position, text };
}
