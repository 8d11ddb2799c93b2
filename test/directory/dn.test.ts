import { describe, expect, it } from 'vitest';
import {
  dnEquals,
  escapeDnValue,
  formatDn,
  isDnWithin,
  normalizeDn,
  parentDn,
  parseDn,
} from '../../src/directory/dn.ts';

const values = (dn: string): string[][] =>
  parseDn(dn).map((rdn) => rdn.attributes.map(({ type, value }) => `${type}=${value}`));

describe('DN parsing', () => {
  it.each([
    [
      'plain',
      'CN=Alice,OU=Staff,DC=lab,DC=test',
      [['CN=Alice'], ['OU=Staff'], ['DC=lab'], ['DC=test']],
    ],
    ['escaped comma', 'CN=Smith\\, John,OU=Staff', [['CN=Smith, John'], ['OU=Staff']]],
    ['hex comma', 'CN=Smith\\2C John,OU=Staff', [['CN=Smith, John'], ['OU=Staff']]],
    ['escaped plus', 'CN=A\\+B,DC=x', [['CN=A+B'], ['DC=x']]],
    ['multi-valued RDN', 'CN=A+UID=1,DC=x', [['CN=A', 'UID=1'], ['DC=x']]],
    ['backslash', 'CN=back\\\\slash,DC=x', [['CN=back\\slash'], ['DC=x']]],
    ['leading hash', 'CN=\\#1,DC=x', [['CN=#1'], ['DC=x']]],
    ['quotes', 'CN=\\"Q\\",DC=x', [['CN="Q"'], ['DC=x']]],
    ['quoted value', 'CN="a, b",DC=x', [['CN=a, b'], ['DC=x']]],
    ['leading space escaped', 'CN=\\ lead,DC=x', [['CN= lead'], ['DC=x']]],
    ['trailing space escaped', 'CN=trail\\ ,DC=x', [['CN=trail '], ['DC=x']]],
    ['unescaped spaces trimmed', 'CN = Alice , DC = x', [['CN=Alice'], ['DC=x']]],
    ['raw non-ASCII', 'OU=Zürich Ünïcødé,DC=x', [['OU=Zürich Ünïcødé'], ['DC=x']]],
    ['hex UTF-8', 'OU=Z\\C3\\BCrich,DC=x', [['OU=Zürich'], ['DC=x']]],
    ['emoji', 'CN=Party 🎉,DC=x', [['CN=Party 🎉'], ['DC=x']]],
    ['BER hex value', 'CN=#04024869,DC=x', [['CN=Hi'], ['DC=x']]],
    ['semicolon separator', 'CN=A;DC=x', [['CN=A'], ['DC=x']]],
    ['OID type', '2.5.4.3=A,DC=x', [['2.5.4.3=A'], ['DC=x']]],
    ['escaped equals and angle brackets', 'CN=a\\=b\\<c\\>,DC=x', [['CN=a=b<c>'], ['DC=x']]],
    ['empty', '', []],
  ])('parses %s', (_name, dn, expected) => {
    expect(values(dn)).toEqual(expected);
  });

  it.each([
    ['missing equals', 'CN'],
    ['bad type', 'C N=x'],
    ['dangling backslash', 'CN=x\\'],
    ['empty RDN', 'CN=x,'],
    ['bad UTF-8 escape', 'CN=\\C3\\28'],
    ['unterminated quote', 'CN="abc'],
    ['odd hex value', 'CN=#123'],
  ])('rejects %s', (_name, dn) => {
    expect(() => parseDn(dn)).toThrow(RangeError);
  });
});

describe('DN escaping', () => {
  it.each([
    ['comma', 'Smith, John', 'Smith\\, John'],
    ['plus', 'A+B', 'A\\+B'],
    ['backslash', 'a\\b', 'a\\\\b'],
    ['leading hash', '#1', '\\#1'],
    ['inner hash kept', 'a#1', 'a#1'],
    ['quotes', '"Q"', '\\"Q\\"'],
    ['leading space', ' lead', '\\ lead'],
    ['trailing space', 'trail ', 'trail\\ '],
    ['single space', ' ', '\\ '],
    ['inner spaces kept', 'a  b', 'a  b'],
    ['semicolon and angle brackets', 'a;<b>', 'a\\;\\<b\\>'],
    ['newline as hex', 'a\nb', 'a\\0ab'],
    ['non-ASCII kept raw', 'Zürich 🎉', 'Zürich 🎉'],
  ])('escapes %s', (_name, raw, escaped) => {
    expect(escapeDnValue(raw)).toBe(escaped);
    const dn = formatDn([{ attributes: [{ type: 'CN', value: raw }] }]);
    expect(values(dn)).toEqual([[`CN=${raw}`]]);
  });
});

describe('DN comparison', () => {
  it.each([
    ['case', 'CN=Alice,OU=Staff,DC=lab', 'cn=alice,ou=staff,dc=LAB'],
    ['hex and raw comma', 'CN=Smith\\, John,DC=x', 'CN=Smith\\2C John,DC=x'],
    ['quoted and escaped', 'CN="a, b",DC=x', 'CN=a\\, b,DC=x'],
    ['hex and raw non-ASCII', 'OU=Z\\C3\\BCrich,DC=x', 'OU=Zürich,DC=x'],
    ['non-ASCII case', 'OU=ÜBER,DC=x', 'OU=über,DC=x'],
    ['spaces around separators', 'CN=A, DC=x', 'CN=A,DC=x'],
    ['multi-valued order', 'CN=A+UID=1,DC=x', 'UID=1+CN=A,DC=x'],
    ['escaped hash', 'CN=\\#1,DC=x', 'CN=\\231,DC=x'],
  ])('treats %s as equal', (_name, left, right) => {
    expect(dnEquals(left, right)).toBe(true);
    expect(normalizeDn(left)).toBe(normalizeDn(right));
  });

  it.each([
    ['escaped trailing space', 'CN=a\\ ,DC=x', 'CN=a,DC=x'],
    ['different value', 'CN=Alice,DC=x', 'CN=Alicia,DC=x'],
    ['different depth', 'CN=A,DC=x', 'CN=A,DC=x,DC=y'],
  ])('tells apart %s', (_name, left, right) => {
    expect(dnEquals(left, right)).toBe(false);
  });

  it.each([
    ['child', 'CN=A,OU=Staff,DC=x', 'OU=Staff,DC=x', true],
    ['grandchild', 'CN=A,OU=Sales,OU=Staff,DC=x', 'ou=staff,dc=X', true],
    ['itself', 'OU=Staff,DC=x', 'OU=Staff,DC=x', true],
    ['sibling', 'CN=A,OU=Other,DC=x', 'OU=Staff,DC=x', false],
    ['name prefix only', 'CN=A,OU=Staff2,DC=x', 'OU=Staff,DC=x', false],
    ['escaped comma is not a level', 'CN=A\\,OU=Staff,DC=x', 'OU=Staff,DC=x', false],
    ['parent of scope', 'DC=x', 'OU=Staff,DC=x', false],
  ])('checks containment: %s', (_name, dn, ancestor, expected) => {
    expect(isDnWithin(dn, ancestor)).toBe(expected);
  });

  it.each([
    ['plain', 'CN=A,OU=Staff,DC=x', 'OU=Staff,DC=x'],
    ['escaped comma in RDN', 'CN=Smith\\, John,OU=Staff,DC=x', 'OU=Staff,DC=x'],
    ['text kept as written', 'CN=A, ou=St\\C3\\A4ff,DC=x', 'ou=St\\C3\\A4ff,DC=x'],
    ['single RDN', 'DC=x', ''],
  ])('cuts the parent DN: %s', (_name, dn, parent) => {
    expect(parentDn(dn)).toBe(parent);
  });
});
