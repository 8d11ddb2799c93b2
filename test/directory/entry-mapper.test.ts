import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import {
  attributeMap,
  binaryAttributes,
  requestedAttributes,
} from '../../src/directory/attribute-map.ts';
import { mapEntry } from '../../src/directory/entry-mapper.ts';
import { splitProxyAddresses } from '../../src/directory/proxy-addresses.ts';
import { recordAttributes } from '../../src/protocol/records.ts';

type GoldenValue = string | string[] | { base64: string } | { hex: string };

interface GoldenCase {
  name: string;
  entry: Record<string, GoldenValue>;
  expected:
    | { ok: true; record: Record<string, unknown>; metadata: Record<string, unknown> }
    | { ok: false; failure: { dn: string; anchor: string | null; attributes: string[] } };
}

const golden = JSON.parse(
  readFileSync(join(import.meta.dirname, 'golden', 'entries.json'), 'utf8'),
) as { cases: GoldenCase[] };

/** Turns a golden entry into what ldapts returns: bytes for base64/hex values, text otherwise. */
function toEntry(raw: Record<string, GoldenValue>): Entry {
  const entry: Entry = { dn: '' };
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || Array.isArray(value)) entry[key] = value;
    else if ('base64' in value) entry[key] = Buffer.from(value.base64, 'base64');
    else entry[key] = Buffer.from(value.hex.replaceAll(' ', ''), 'hex');
  }
  return entry;
}

describe('entry mapping (golden entries)', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('maps %s', (_name, goldenCase) => {
    const mapped = mapEntry(toEntry(goldenCase.entry));
    const expected = goldenCase.expected;
    expect(mapped.ok).toBe(expected.ok);
    if (mapped.ok && expected.ok) {
      expect(mapped.record).toEqual(expected.record);
      expect(Object.keys(mapped.record)).toEqual([...recordAttributes]);
      expect(mapped.metadata).toEqual(expected.metadata);
    }
    if (!mapped.ok && !expected.ok) {
      expect(mapped.failure.dn).toBe(expected.failure.dn);
      expect(mapped.failure.anchor).toBe(expected.failure.anchor);
      expect(mapped.failure.problems.map((p) => p.attribute)).toEqual(expected.failure.attributes);
      for (const problem of mapped.failure.problems) expect(problem.message).not.toBe('');
    }
  });
});

describe('attribute map', () => {
  it('fills every record field', () => {
    const fields = new Set<string>(['dn', 'parentDn']);
    for (const row of attributeMap) {
      if (row.target === 'proxyAddresses') {
        fields.add('primarySmtpAddress').add('secondarySmtpAddresses').add('otherProxyAddresses');
      } else if (row.target === 'record') {
        fields.add(row.field);
      }
    }
    expect([...fields].sort()).toEqual([...recordAttributes].sort());
  });

  it('reads GUID and SID as bytes', () => {
    expect(binaryAttributes).toEqual(['objectGUID', 'objectSid']);
  });

  it('requests each attribute once', () => {
    expect(new Set(requestedAttributes).size).toBe(requestedAttributes.length);
  });
});

describe('proxyAddresses split', () => {
  it.each([
    ['empty', [], null, [], []],
    ['primary only', ['SMTP:a@x.test'], 'a@x.test', [], []],
    ['secondary only', ['smtp:b@x.test'], null, ['b@x.test'], []],
    ['mixed-case type is secondary', ['Smtp:c@x.test'], null, ['c@x.test'], []],
    [
      'other types kept whole',
      ['X500:/o=a', 'sip:d@x.test'],
      null,
      [],
      ['X500:/o=a', 'sip:d@x.test'],
    ],
    ['address keeps its case', ['SMTP:Ann.Lee@X.test'], 'Ann.Lee@X.test', [], []],
  ])('splits %s', (_name, values, primary, secondary, other) => {
    expect(splitProxyAddresses(values)).toEqual({
      primarySmtpAddress: primary,
      secondarySmtpAddresses: secondary,
      otherProxyAddresses: other,
    });
  });

  it('rejects two primary addresses', () => {
    expect(() => splitProxyAddresses(['SMTP:a@x.test', 'SMTP:b@x.test'])).toThrow(/more than one/);
  });
});
