/**
 * Hashing of secrets. Passwords people choose or that AD captures get argon2id (slow, salted);
 * random tokens the service issues (agent credentials, session and SCIM tokens) carry 256 bits
 * of entropy, so a SHA-256 of them is enough and keeps each request's check cheap.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

/** Hashes and verifies passwords. The default is argon2id; tests may pass cheaper parameters. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(passwordHash: string, password: string): Promise<boolean>;
}

/** argon2id with the library's defaults (about 100 ms a hash), or the given cost parameters. */
export function argon2idHasher(options: Omit<Options, 'algorithm'> = {}): PasswordHasher {
  // Algorithm.Argon2id is 2; the const enum cannot be imported under isolatedModules.
  const settings: Options = { ...options, algorithm: 2 };
  return {
    hash: (password) => hash(password.normalize('NFC'), settings),
    verify: async (passwordHash, password) => {
      try {
        return await verify(passwordHash, password.normalize('NFC'));
      } catch {
        return false;
      }
    },
  };
}

/** A new random token of 32 bytes, base64url, with a prefix that tells its kind in a leak scan. */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 of a token, hex; what the store keeps instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
