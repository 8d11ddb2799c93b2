import { createHmac } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';

/**
 * The session cookie. The `__Host-` prefix makes the browser insist on Secure, Path=/ and no
 * Domain attribute, so no other host or path can set or shadow it.
 */
export const sessionCookieName = '__Host-userpilot_session';

/** The pre-session cookie that carries the sign-in form's CSRF token (double-submit). */
export const signInCookieName = '__Host-userpilot_sign_in';

/** Attributes of both cookies; the session cookie's Max-Age is set from the session's lifetime. */
export function cookieOptions(maxAgeSeconds: number): CookieSerializeOptions {
  return {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    maxAge: maxAgeSeconds,
  };
}

/**
 * Derives the session's CSRF token from the session token with HMAC-SHA256. It is the same on
 * every instance without being stored, and it reveals nothing about the session token.
 */
export function csrfTokenOfSession(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('userpilot panel csrf').digest('base64url');
}
