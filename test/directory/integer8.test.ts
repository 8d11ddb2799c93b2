import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  filetimeToIso,
  integer8Never,
  integer8TextToIso,
  isoToFiletime,
  parseInteger8,
} from '../../src/directory/integer8.ts';

describe('integer8 and FILETIME codec', () => {
  it.each([
    ['2020-01-01', '132223104000000000', '2020-01-01T00:00:00.000Z'],
    ['Unix epoch', '116444736000000000', '1970-01-01T00:00:00.000Z'],
    ['start of FILETIME', '1', '1601-01-01T00:00:00.000Z'],
    ['sub-millisecond dropped', '132223104000009999', '2020-01-01T00:00:00.000Z'],
    ['one millisecond', '132223104000010000', '2020-01-01T00:00:00.001Z'],
    ['zero is never', '0', null],
    ['max is never', '9223372036854775807', null],
    ['one below max', '9223372036854775806', '+030828-09-14T02:48:05.477Z'],
  ])('converts %s', (_name, text, expected) => {
    expect(integer8TextToIso(text)).toBe(expected);
  });

  it('names the never value', () => {
    expect(integer8Never).toBe(0x7fffffffffffffffn);
    expect(filetimeToIso(integer8Never)).toBeNull();
  });

  it.each([['-1'], ['abc'], ['1.5'], ['9223372036854775808'], [''], ['99999999999999999999']])(
    'rejects %s',
    (text) => {
      expect(() => integer8TextToIso(text)).toThrow(RangeError);
    },
  );

  it('round-trips an instant', () => {
    expect(isoToFiletime('2020-01-01T00:00:00Z')).toBe(132223104000000000n);
    expect(parseInteger8('-5')).toBe(-5n);
  });

  it('gives UTC under TZ=Asia/Tokyo', () => {
    const script = [
      "const { integer8TextToIso } = await import('./src/directory/integer8.ts');",
      "const { generalizedTimeToIso } = await import('./src/directory/generalized-time.ts');",
      'console.log(JSON.stringify({ zone: Intl.DateTimeFormat().resolvedOptions().timeZone,',
      "  offset: new Date('2020-01-01T00:00:00Z').getTimezoneOffset(),",
      "  filetime: integer8TextToIso('132223104000000000'),",
      "  generalized: generalizedTimeToIso('20200101000000.0Z') }));",
    ].join('\n');
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { env: { ...process.env, TZ: 'Asia/Tokyo' }, encoding: 'utf8', cwd: process.cwd() },
    );
    expect(child.stderr).toBe('');
    const output = JSON.parse(child.stdout) as Record<string, unknown>;
    expect(output.zone).toBe('Asia/Tokyo');
    expect(output.offset).toBe(-540);
    expect(output.filetime).toBe('2020-01-01T00:00:00.000Z');
    expect(output.generalized).toBe('2020-01-01T00:00:00.000Z');
  });
});
