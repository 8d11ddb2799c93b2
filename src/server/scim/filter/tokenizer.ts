import { ScimError } from '../errors.ts';

export type TokenKind = '(' | ')' | '[' | ']' | '.' | 'string' | 'number' | 'word' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The token as written (for a string, with its quotes). */
  readonly text: string;
  /** The offset in the input (0-based). */
  readonly position: number;
  /** The decoded value of a string or number token. */
  readonly value?: string | number;
}

const punctuation = new Set(['(', ')', '[', ']', '.']);
const wordStart = /[A-Za-z$]/;
const wordPart = /[A-Za-z0-9_$:.-]/;
const numberPattern = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** The start of every invalidFilter message, which PATCH paths replace with their own subject. */
export const filterErrorPrefix = 'The filter is invalid';

/** Builds the invalidFilter error for `input` at `position`, quoting the text from there. */
export function filterError(input: string, position: number, problem: string): ScimError {
  const rest = input.slice(position, position + 24);
  const where =
    position >= input.length
      ? 'at the end'
      : `at character ${position + 1} (${JSON.stringify(rest + (input.length > position + 24 ? '...' : ''))})`;
  return new ScimError('UP_SCIM_INVALID_FILTER', `${filterErrorPrefix} ${where}: ${problem}.`, {
    details: { position: position + 1 },
  });
}

/** Splits a filter or PATCH path into tokens; throws an invalidFilter ScimError. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < input.length) {
    const char = input.charAt(position);
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
      position += 1;
    } else if (punctuation.has(char)) {
      tokens.push({ kind: char as TokenKind, text: char, position });
      position += 1;
    } else if (char === '"') {
      const token = readString(input, position);
      tokens.push(token);
      position += token.text.length;
    } else if (char === '-' || (char >= '0' && char <= '9')) {
      const token = readNumber(input, position);
      tokens.push(token);
      position += token.text.length;
    } else if (wordStart.test(char)) {
      let end = position + 1;
      while (end < input.length && wordPart.test(input.charAt(end))) end += 1;
      tokens.push({ kind: 'word', text: input.slice(position, end), position });
      position = end;
    } else {
      throw filterError(input, position, `unexpected character ${JSON.stringify(char)}`);
    }
  }
  tokens.push({ kind: 'end', text: '', position: input.length });
  return tokens;
}

function readString(input: string, start: number): Token {
  let end = start + 1;
  while (end < input.length && input.charAt(end) !== '"') {
    end += input.charAt(end) === '\\' ? 2 : 1;
  }
  if (end >= input.length) throw filterError(input, start, 'the string has no closing quote');
  const text = input.slice(start, end + 1);
  try {
    return { kind: 'string', text, position: start, value: JSON.parse(text) as string };
  } catch {
    throw filterError(input, start, 'the string has an invalid escape sequence');
  }
}

function readNumber(input: string, start: number): Token {
  numberPattern.lastIndex = start;
  const match = numberPattern.exec(input);
  if (match === null) throw filterError(input, start, 'expected a number');
  const text = match[0];
  return { kind: 'number', text, position: start, value: Number(text) };
}
