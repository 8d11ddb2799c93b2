import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openSealedPassword, sealPassword } from '../../src/agent/password/sealed-password.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { findPasswords } from './support/password-encodings.ts';

const anchor = '1c081731-4490-440c-831d-d529b86b8c32';
const otherAnchor = '2c081731-4490-440c-831d-d529b86b8c32';
const pwdLastSet = '2026-12-04T04:33:45.298Z';

const passwords = [
  ['ASCII', `Pw-${randomBytes(9).toString('base64url')}`],
  ['non-ASCII', 'Garçon-2024'],
  ['outside the BMP', `Schlüssel-🔑-${randomBytes(4).toString('hex')}`],
] as const;

function caught(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sealed password', () => {
  it.each(passwords)('opens what it sealed (%s)', (_name, password) => {
    const key = randomBytes(32);
    const sealed = sealPassword(key, { anchor, password, pwdLastSet });
    expect(openSealedPassword(key, anchor, sealed)).toEqual({ anchor, password, pwdLastSet });
  });

  it.each(passwords)('holds no readable form of the password (%s)', (_name, password) => {
    const sealed = sealPassword(randomBytes(32), { anchor, password, pwdLastSet });
    expect(findPasswords(sealed, [password])).toEqual([]);
  });

  it('uses a fresh IV each time', () => {
    const key = randomBytes(32);
    const input = { anchor, password: 'same-password', pwdLastSet };
    expect(sealPassword(key, input)).not.toBe(sealPassword(key, input));
  });

  it('fails to open with another key', () => {
    const sealed = sealPassword(randomBytes(32), { anchor, password: 'x'.repeat(10), pwdLastSet });
    const error = caught(() => openSealedPassword(randomBytes(32), anchor, sealed));
    expect(isUserPilotError(error, 'UP_PASSWORD_SEAL_INVALID')).toBe(true);
  });

  it('fails to open for another anchor', () => {
    const key = randomBytes(32);
    const sealed = sealPassword(key, { anchor, password: 'x'.repeat(10), pwdLastSet });
    const error = caught(() => openSealedPassword(key, otherAnchor, sealed));
    expect(isUserPilotError(error, 'UP_PASSWORD_SEAL_INVALID')).toBe(true);
  });

  it.each([
    [
      'a changed ciphertext',
      (sealed: string) => sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA'),
    ],
    ['another format', (sealed: string) => sealed.replace(/^v1\./, 'v9.')],
    ['a cut header', (sealed: string) => sealed.split('.').slice(0, 3).join('.')],
  ])('fails to open %s', (_name, damage) => {
    const key = randomBytes(32);
    const sealed = sealPassword(key, { anchor, password: 'x'.repeat(10), pwdLastSet });
    const error = caught(() => openSealedPassword(key, anchor, damage(sealed)));
    expect(isUserPilotError(error, 'UP_PASSWORD_SEAL_INVALID')).toBe(true);
    expect(String(error)).not.toContain('x'.repeat(10));
  });
});
