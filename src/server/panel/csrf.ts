import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The name of the hidden form field that carries the session's CSRF token. */
export const csrfFieldName = '_csrf';

/** Makes a new random CSRF token (32 bytes, base64url). One token lives as long as its session. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Compares a submitted token with the session's in constant time. Both sides are hashed first,
 * so the comparison takes the same time whatever the submitted length.
 */
export function csrfTokenMatches(expected: string, submitted: unknown): boolean {
  if (typeof submitted !== 'string' || submitted.length === 0) return false;
  const expectedDigest = createHash('sha256').update(expected).digest();
  const submittedDigest = createHash('sha256').update(submitted).digest();
  return timingSafeEqual(expectedDigest, submittedDigest);
}
