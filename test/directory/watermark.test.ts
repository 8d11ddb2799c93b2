import { describe, expect, it } from 'vitest';
import type { DcState } from '../../src/directory/root-dse.ts';
import {
  checkWatermark,
  decodeWatermark,
  encodeWatermark,
  type Watermark,
  watermarkOf,
} from '../../src/directory/watermark.ts';

const state: DcState = {
  dnsHostName: 'labdc.userpilot.test',
  invocationId: '057f2eea-27b1-471d-a622-5b8f107e3360',
  highestCommittedUSN: '4111',
  defaultNamingContext: 'DC=userpilot,DC=test',
  dsServiceName:
    'CN=NTDS Settings,CN=LABDC,CN=Servers,CN=Default-First-Site-Name,CN=Sites,CN=Configuration,DC=userpilot,DC=test',
};
const scope = 'OU=Zürich\\, Süd,DC=userpilot,DC=test';

describe('watermark', () => {
  it('round-trips through its text form', () => {
    const watermark = watermarkOf(state, scope);
    const text = encodeWatermark(watermark);
    expect(text).toMatch(/^up1\.[A-Za-z0-9_-]+$/);
    expect(decodeWatermark(`  ${text}\n`)).toEqual(watermark);
  });

  it.each([
    ['no prefix', 'eyJ9'],
    ['not JSON', 'up1.bm90IGpzb24'],
    ['missing field', `up1.${Buffer.from('{"dnsHostName":"a"}').toString('base64url')}`],
    [
      'bad USN',
      `up1.${Buffer.from(JSON.stringify({ dnsHostName: 'a', invocationId: 'b', usn: '-1', scopeDn: 'c' })).toString('base64url')}`,
    ],
  ])('rejects %s', (_name, text) => {
    expect(() => decodeWatermark(text)).toThrow(/watermark is invalid/);
  });

  it.each<[string, (w: Watermark) => Watermark, DcState, string | undefined]>([
    ['same DC', (w) => w, state, undefined],
    [
      'host name in other case',
      (w) => ({ ...w, dnsHostName: 'LABDC.userpilot.test' }),
      state,
      undefined,
    ],
    [
      'scope spelled with hex escapes',
      (w) => ({ ...w, scopeDn: 'ou=Z\\C3\\BCrich\\2C S\\C3\\BCd,dc=userpilot,dc=test' }),
      state,
      undefined,
    ],
    ['USN moved on', (w) => w, { ...state, highestCommittedUSN: '9000' }, undefined],
    ['other DC', (w) => ({ ...w, dnsHostName: 'dc2.userpilot.test' }), state, 'otherDc'],
    [
      'restored DC',
      (w) => w,
      { ...state, invocationId: '00000000-0000-4000-8000-000000000000' },
      'invocationIdChanged',
    ],
    ['USN went back', (w) => w, { ...state, highestCommittedUSN: '4000' }, 'usnBehindWatermark'],
    [
      'other scope',
      (w) => ({ ...w, scopeDn: 'OU=Staff,DC=userpilot,DC=test' }),
      state,
      'scopeChanged',
    ],
  ])('checks %s', (_name, alter, current, reason) => {
    const since = alter(watermarkOf(state, scope));
    expect(checkWatermark(since, current, scope)?.reason).toBe(reason);
  });
});
