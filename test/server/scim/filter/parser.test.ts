import { describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../../src/server/scim/filter/ast.ts';
import { parseFilter } from '../../../../src/server/scim/filter/parser.ts';

/** Writes a tree in prefix form, so a table row states the whole parse in one line. */
function show(node: FilterNode): string {
  const path = (p: {
    schema: string | undefined;
    name: string;
    subAttribute: string | undefined;
  }) =>
    `${p.schema === undefined ? '' : `${p.schema}:`}${p.name}${p.subAttribute === undefined ? '' : `.${p.subAttribute}`}`;
  switch (node.kind) {
    case 'compare':
      return `(${node.operator} ${path(node.path)} ${JSON.stringify(node.value)})`;
    case 'present':
      return `(pr ${path(node.path)})`;
    case 'and':
    case 'or':
      return `(${node.kind} ${show(node.left)} ${show(node.right)})`;
    case 'not':
      return `(not ${show(node.operand)})`;
    case 'valuePath':
      return `(${path(node.path)}[] ${show(node.filter)})`;
  }
}

const parses: { name: string; filter: string; tree: string }[] = [
  {
    name: 'equality on userName',
    filter: 'userName eq "bjensen"',
    tree: '(eq userName "bjensen")',
  },
  {
    name: 'operator in capitals',
    filter: 'userName EQ "bjensen"',
    tree: '(eq userName "bjensen")',
  },
  {
    name: 'mixed-case keywords',
    filter: 'title Pr AnD active Eq TRUE',
    tree: '(and (pr title) (eq active true))',
  },
  {
    name: 'sub-attribute',
    filter: 'name.familyName co "O\'Malley"',
    tree: `(co name.familyName "O'Malley")`,
  },
  { name: 'starts with', filter: 'userName sw "J"', tree: '(sw userName "J")' },
  { name: 'ends with', filter: 'emails ew "@example.com"', tree: '(ew emails "@example.com")' },
  {
    name: 'core schema URN prefix',
    filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    tree: '(sw urn:ietf:params:scim:schemas:core:2.0:User:userName "J")',
  },
  {
    name: 'enterprise URN with sub-attribute',
    filter:
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"',
    tree: '(eq urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value "26118915")',
  },
  {
    name: 'dateTime as string',
    filter: 'meta.lastModified gt "2011-05-13T04:42:34Z"',
    tree: '(gt meta.lastModified "2011-05-13T04:42:34Z")',
  },
  {
    name: 'ge and le',
    filter: 'meta.created ge "2011-05-13T04:42:34Z" and meta.created le "2012-01-01T00:00:00Z"',
    tree: '(and (ge meta.created "2011-05-13T04:42:34Z") (le meta.created "2012-01-01T00:00:00Z"))',
  },
  {
    name: 'lt',
    filter: 'meta.lastModified lt "2011-05-13T04:42:34Z"',
    tree: '(lt meta.lastModified "2011-05-13T04:42:34Z")',
  },
  { name: 'not equal', filter: 'title ne "Tour Guide"', tree: '(ne title "Tour Guide")' },
  { name: 'null literal', filter: 'title eq null', tree: '(eq title null)' },
  { name: 'number literal', filter: 'x eq -1.5e3', tree: '(eq x -1500)' },
  { name: 'zero', filter: 'x gt 0', tree: '(gt x 0)' },
  { name: 'false literal', filter: 'active eq false', tree: '(eq active false)' },
  {
    name: 'escaped quote in string',
    filter: 'displayName eq "a \\"b\\" c"',
    tree: '(eq displayName "a \\"b\\" c")',
  },
  {
    name: 'unicode escape in string',
    filter: 'displayName eq "J\\u00fcrgen"',
    tree: '(eq displayName "Jürgen")',
  },
  {
    name: 'non-ASCII string',
    filter: 'displayName eq "Søren Ærø 日本"',
    tree: '(eq displayName "Søren Ærø 日本")',
  },
  {
    name: 'and binds tighter than or',
    filter: 'a pr or b pr and c pr',
    tree: '(or (pr a) (and (pr b) (pr c)))',
  },
  {
    name: 'and before or on the left',
    filter: 'a pr and b pr or c pr',
    tree: '(or (and (pr a) (pr b)) (pr c))',
  },
  {
    name: 'parentheses override precedence',
    filter: '(a pr or b pr) and c pr',
    tree: '(and (or (pr a) (pr b)) (pr c))',
  },
  {
    name: 'or is left-associative',
    filter: 'a pr or b pr or c pr',
    tree: '(or (or (pr a) (pr b)) (pr c))',
  },
  { name: 'not binds tightest', filter: 'not (a pr) and b pr', tree: '(and (not (pr a)) (pr b))' },
  { name: 'NOT in capitals', filter: 'NOT (a pr)', tree: '(not (pr a))' },
  { name: 'nested parentheses', filter: '((a pr))', tree: '(pr a)' },
  {
    name: 'RFC example with or inside parentheses',
    filter: 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    tree: '(and (eq userType "Employee") (or (co emails "example.com") (co emails.value "example.org")))',
  },
  {
    name: 'RFC example with not',
    filter:
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    tree: '(and (ne userType "Employee") (not (or (co emails "example.com") (co emails.value "example.org"))))',
  },
  {
    name: 'value path with and',
    filter: 'emails[type eq "work" and value co "@example.com"]',
    tree: '(emails[] (and (eq type "work") (co value "@example.com")))',
  },
  {
    name: 'two value paths with or',
    filter:
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    tree: '(or (emails[] (and (eq type "work") (co value "@example.com"))) (ims[] (and (eq type "xmpp") (co value "@foo.com"))))',
  },
  {
    name: 'value path with boolean',
    filter: 'emails[type eq "work" and primary eq true]',
    tree: '(emails[] (and (eq type "work") (eq primary true)))',
  },
  {
    name: 'value path with not',
    filter: 'emails[not (type eq "work")]',
    tree: '(emails[] (not (eq type "work")))',
  },
  { name: 'extra whitespace', filter: '  userName   eq\t"x"  ', tree: '(eq userName "x")' },
  { name: 'no space before parenthesis', filter: 'not(a pr)', tree: '(not (pr a))' },
  { name: '$ref sub-attribute', filter: 'manager.$ref pr', tree: '(pr manager.$ref)' },
];

describe('filter parser', () => {
  it.each(parses)('parses $name', ({ filter, tree }) => {
    const result = parseFilter(filter);
    if (!result.ok) throw result.error;
    expect(show(result.value)).toBe(tree);
  });
});

const failures: { name: string; filter: string; position: number | 'end'; problem: string }[] = [
  { name: 'empty filter', filter: '   ', position: 1, problem: 'the filter is empty' },
  {
    name: 'unknown operator',
    filter: 'userName equals "x"',
    position: 10,
    problem:
      'expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after "userName", found "equals"',
  },
  { name: 'missing value', filter: 'userName eq', position: 'end', problem: 'expected a value' },
  {
    name: 'unquoted value',
    filter: 'userName eq bjensen',
    position: 13,
    problem:
      'expected a value (a quoted string, a number, true, false or null) after "eq", found "bjensen"',
  },
  {
    name: 'single quotes',
    filter: "userName eq 'x'",
    position: 13,
    problem: `unexpected character "'"`,
  },
  {
    name: 'unterminated string',
    filter: 'userName eq "x',
    position: 13,
    problem: 'the string has no closing quote',
  },
  {
    name: 'bad escape',
    filter: 'userName eq "\\q"',
    position: 13,
    problem: 'invalid escape sequence',
  },
  {
    name: 'dangling and',
    filter: 'userName eq "x" and',
    position: 'end',
    problem: 'expected an attribute name, found the end of the filter',
  },
  {
    name: 'missing close parenthesis',
    filter: '(userName eq "x"',
    position: 'end',
    problem: 'expected ")"',
  },
  {
    name: 'extra close parenthesis',
    filter: 'userName eq "x")',
    position: 16,
    problem: 'expected "and", "or" or the end of the filter, found ")"',
  },
  {
    name: 'not without parentheses',
    filter: 'not userName eq "x"',
    position: 5,
    problem: 'expected "(" after "not"',
  },
  {
    name: 'missing close bracket',
    filter: 'emails[type eq "work"',
    position: 'end',
    problem: 'expected "]"',
  },
  {
    name: 'nested value path',
    filter: 'emails[type[value pr]]',
    position: 8,
    problem: 'a value path cannot contain another value path',
  },
  { name: 'two values', filter: 'userName eq "a" "b"', position: 17, problem: 'found "\\"b\\""' },
  {
    name: 'path with two dots',
    filter: 'name.givenName.x pr',
    position: 1,
    problem: 'is not an attribute path',
  },
  {
    name: 'path with trailing dot',
    filter: 'name. pr',
    position: 1,
    problem: 'is not an attribute path',
  },
  {
    name: 'colon without URN',
    filter: 'foo:bar pr',
    position: 1,
    problem: 'only a schema URN may contain ":"',
  },
  {
    name: 'stray character',
    filter: 'userName eq "x" & title pr',
    position: 17,
    problem: 'unexpected character "&"',
  },
  { name: 'operator first', filter: 'eq "x"', position: 4, problem: 'expected an operator' },
  {
    name: 'word juxtaposed',
    filter: 'userName eq "x" title pr',
    position: 17,
    problem: 'found "title"',
  },
];

describe('filter parser errors', () => {
  it.each(failures)('rejects $name', ({ filter, position, problem }) => {
    const result = parseFilter(filter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UP_SCIM_INVALID_FILTER');
    expect(result.error.scimType).toBe('invalidFilter');
    expect(result.error.message).toContain(problem);
    const where = position === 'end' ? 'at the end' : `at character ${position} `;
    expect(result.error.message).toContain(where);
  });
});
