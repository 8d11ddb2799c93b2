import { describe, expect, it } from 'vitest';
import {
  escapeFilterBytes,
  guidFilterValue,
  guidFromBytes,
  guidToBytes,
  isGuidText,
} from '../../src/directory/guid.ts';

const sample = Buffer.from('4972885c014bfb42b4f49d9dd71d790d', 'hex');

describe('guid codec', () => {
  it('formats bytes in Microsoft order', () => {
    expect(guidFromBytes(sample)).toBe('5c887249-4b01-42fb-b4f4-9d9dd71d790d');
  });

  it('matches the known base64 form', () => {
    expect(sample.toString('base64')).toBe('SXKIXAFL+0K09J2d1x15DQ==');
    expect(guidFromBytes(Buffer.from('SXKIXAFL+0K09J2d1x15DQ==', 'base64'))).toBe(
      '5c887249-4b01-42fb-b4f4-9d9dd71d790d',
    );
  });

  it('escapes every byte for a filter', () => {
    const expected = '\\49\\72\\88\\5c\\01\\4b\\fb\\42\\b4\\f4\\9d\\9d\\d7\\1d\\79\\0d';
    expect(escapeFilterBytes(sample)).toBe(expected);
    expect(guidFilterValue('5c887249-4b01-42fb-b4f4-9d9dd71d790d')).toBe(expected);
  });

  it.each([
    ['lower case', '5c887249-4b01-42fb-b4f4-9d9dd71d790d'],
    ['upper case', '5C887249-4B01-42FB-B4F4-9D9DD71D790D'],
  ])('parses text back to bytes (%s)', (_name, text) => {
    expect(guidToBytes(text).equals(sample)).toBe(true);
  });

  it.each([
    ['all zero', '00000000000000000000000000000000', '00000000-0000-0000-0000-000000000000'],
    ['all ff', 'ffffffffffffffffffffffffffffffff', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
    ['counting', '000102030405060708090a0b0c0d0e0f', '03020100-0504-0706-0809-0a0b0c0d0e0f'],
  ])('round-trips %s', (_name, hex, text) => {
    expect(guidFromBytes(Buffer.from(hex, 'hex'))).toBe(text);
    expect(guidToBytes(text).toString('hex')).toBe(hex);
  });

  it.each([
    ['15 bytes', Buffer.alloc(15)],
    ['17 bytes', Buffer.alloc(17)],
    ['empty', Buffer.alloc(0)],
  ])('rejects %s', (_name, bytes) => {
    expect(() => guidFromBytes(bytes)).toThrow(RangeError);
  });

  it.each([
    ['no dashes', '5c8872494b0142fbb4f49d9dd71d790d'],
    ['braces', '{5c887249-4b01-42fb-b4f4-9d9dd71d790d}'],
    ['non-hex', '5c887249-4b01-42fb-b4f4-9d9dd71d790g'],
    ['empty', ''],
  ])('rejects text with %s', (_name, text) => {
    expect(isGuidText(text)).toBe(false);
    expect(() => guidToBytes(text)).toThrow(RangeError);
  });
});
