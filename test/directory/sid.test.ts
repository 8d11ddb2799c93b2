import { describe, expect, it } from 'vitest';
import { sidFromBytes, sidToBytes } from '../../src/directory/sid.ts';

describe('sid codec', () => {
  it.each([
    [
      'domain user',
      '010500000000000515000000a065cf7e784b9b5fe77c8770ba0a0000',
      'S-1-5-21-2127521184-1604012920-1887927527-2746',
    ],
    ['well-known Everyone', '010100000000000100000000', 'S-1-1-0'],
    ['BUILTIN\\Administrators', '01020000000000052000000020020000', 'S-1-5-32-544'],
    ['no sub-authorities', '010000000000000a', 'S-1-10'],
    [
      'max sub-authority',
      '01010000000000050000ffffffff'.replace('0000ffffffff', 'ffffffff'),
      'S-1-5-4294967295',
    ],
  ])('decodes and encodes %s', (_name, hex, text) => {
    expect(sidFromBytes(Buffer.from(hex, 'hex'))).toBe(text);
    expect(sidToBytes(text).toString('hex')).toBe(hex);
  });

  it.each([
    ['too short', '0105000000'],
    ['count longer than bytes', '010500000000000515000000'],
    ['revision 2', '020100000000000100000000'],
  ])('rejects bytes: %s', (_name, hex) => {
    expect(() => sidFromBytes(Buffer.from(hex, 'hex'))).toThrow(RangeError);
  });

  it.each([['S-2-5'], ['S-1-5-x'], ['s-1'], ['S-1-5-4294967296']])('rejects text %s', (text) => {
    expect(() => sidToBytes(text)).toThrow(RangeError);
  });
});
