import { describe, expect, it } from 'vitest';
import {
  generalizedTimeToIso,
  isoToGeneralizedTime,
} from '../../src/directory/generalized-time.ts';

describe('generalized time codec', () => {
  it.each([
    ['AD form', '20200101000000.0Z', '2020-01-01T00:00:00.000Z'],
    ['no fraction', '20200101000000Z', '2020-01-01T00:00:00.000Z'],
    ['millisecond fraction', '20240229123456.789Z', '2024-02-29T12:34:56.789Z'],
    ['comma fraction', '20240229123456,5Z', '2024-02-29T12:34:56.500Z'],
    ['positive offset', '20200101090000+0900', '2020-01-01T00:00:00.000Z'],
    ['negative offset', '20191231190000-0500', '2020-01-01T00:00:00.000Z'],
    ['hour offset only', '20200101090000+09', '2020-01-01T00:00:00.000Z'],
    ['hours only', '2020010112Z', '2020-01-01T12:00:00.000Z'],
    ['fraction of hour', '2020010112.5Z', '2020-01-01T12:30:00.000Z'],
    ['minutes only', '202001011230Z', '2020-01-01T12:30:00.000Z'],
  ])('parses %s', (_name, text, expected) => {
    expect(generalizedTimeToIso(text)).toBe(expected);
  });

  it.each([
    ['no zone (local time)', '20200101000000.0'],
    ['bad month', '20201301000000Z'],
    ['bad day', '20230229000000Z'],
    ['hour 24', '20200101240000Z'],
    ['bad offset', '20200101000000+2500'],
    ['garbage', 'yesterday'],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(() => generalizedTimeToIso(text)).toThrow(RangeError);
  });

  it('formats as AD writes it', () => {
    expect(isoToGeneralizedTime('2020-01-01T00:00:00Z')).toBe('20200101000000.0Z');
  });
});
