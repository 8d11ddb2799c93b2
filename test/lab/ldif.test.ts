import { describe, expect, it } from 'vitest';
import { escapeRdnValue, formatLdif, ldifLine, parseLdif } from '../../src/lab/ldif.ts';
import { toFileTime, unicodePwd } from '../../src/lab/seed-ldif.ts';

describe('ldifLine', () => {
  it.each([
    { name: 'plain ASCII', value: 'Engineering', line: 'title: Engineering' },
    { name: 'empty value', value: '', line: 'title: ' },
    { name: 'non-ASCII', value: 'Zoë', line: `title:: ${Buffer.from('Zoë').toString('base64')}` },
    { name: 'leading space', value: ' x', line: `title:: ${Buffer.from(' x').toString('base64')}` },
    { name: 'leading colon', value: ':x', line: `title:: ${Buffer.from(':x').toString('base64')}` },
    { name: 'leading <', value: '<x', line: `title:: ${Buffer.from('<x').toString('base64')}` },
    {
      name: 'trailing space',
      value: 'x ',
      line: `title:: ${Buffer.from('x ').toString('base64')}`,
    },
    { name: 'newline', value: 'a\nb', line: `title:: ${Buffer.from('a\nb').toString('base64')}` },
  ])('writes $name', ({ value, line }) => {
    expect(ldifLine('title', value)).toBe(line);
  });
});

describe('escapeRdnValue', () => {
  it.each([
    { value: 'Doe, Alice', escaped: 'Doe\\, Alice' },
    { value: 'a+b=c', escaped: 'a\\+b\\=c' },
    { value: '#hash', escaped: '\\#hash' },
    { value: ' lead', escaped: '\\ lead' },
    { value: 'trail ', escaped: 'trail\\ ' },
    { value: 'back\\slash', escaped: 'back\\\\slash' },
    { value: 'Vertrieb Süd', escaped: 'Vertrieb Süd' },
  ])('escapes $value', ({ value, escaped }) => {
    expect(escapeRdnValue(value)).toBe(escaped);
  });
});

describe('parseLdif', () => {
  it('unfolds continuation lines and decodes base64', () => {
    const text = [
      '# record 1',
      'dn: CN=A,DC=x',
      'nTSecurityDescriptor: D:PAI(A;;RPL',
      ' C;;;BA)',
      `cn:: ${Buffer.from('Żółw').toString('base64')}`,
      '',
      'dn: CN=B,DC=x',
      'member: 1',
      'member: 2',
    ].join('\n');
    const records = parseLdif(text);
    expect(records).toHaveLength(2);
    expect(records[0]?.get('nTSecurityDescriptor')).toEqual(['D:PAI(A;;RPLC;;;BA)']);
    expect(records[0]?.get('cn')).toEqual(['Żółw']);
    expect(records[1]?.get('member')).toEqual(['1', '2']);
  });
});

describe('formatLdif', () => {
  it('writes an add and a modify with one replace per attribute', () => {
    const text = formatLdif([
      { kind: 'add', dn: 'OU=Süd,DC=x', attributes: { objectClass: 'organizationalUnit' } },
      { kind: 'replace', dn: 'CN=A,DC=x', attributes: { manager: 'CN=B,DC=x', title: ['T'] } },
    ]);
    expect(text).toBe(
      [
        `dn:: ${Buffer.from('OU=Süd,DC=x').toString('base64')}`,
        'changetype: add',
        'objectClass: organizationalUnit',
        '',
        'dn: CN=A,DC=x',
        'changetype: modify',
        'replace: manager',
        'manager: CN=B,DC=x',
        '-',
        'replace: title',
        'title: T',
        '-',
        '',
      ].join('\n'),
    );
  });

  it('writes bytes in base64', () => {
    const text = formatLdif([
      { kind: 'add', dn: 'CN=A,DC=x', attributes: { unicodePwd: unicodePwd('pw') } },
    ]);
    expect(text).toContain(`unicodePwd:: ${Buffer.from('"pw"', 'utf16le').toString('base64')}`);
  });
});

describe('toFileTime', () => {
  it.each([
    { iso: '1601-01-01T00:00:00Z', ticks: '0' },
    { iso: '1970-01-01T00:00:00Z', ticks: '116444736000000000' },
    { iso: '2024-01-01T00:00:00Z', ticks: '133485408000000000' },
  ])('converts $iso', ({ iso, ticks }) => {
    expect(toFileTime(iso)).toBe(ticks);
  });
});
