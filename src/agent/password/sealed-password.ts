import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UserPilotError } from '../../protocol/errors.ts';
import { outboxKeyBytes } from './outbox-key.ts';

/** A captured password as the outbox keeps it before sealing, and after opening. */
export interface CapturedPassword {
  /** objectGUID of the user, in Microsoft's text form. */
  anchor: string;
  password: string;
  /** The change's time in AD, ISO 8601 UTC. */
  pwdLastSet: string;
}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/**
 * Seals a captured password with AES-256-GCM: `v1.IV.TAG.CIPHERTEXT`, each part base64url.
 * The anchor is the additional authenticated data, so a sealed payload moved to another
 * user's outbox row fails to open instead of setting that user's password.
 */
export function sealPassword(key: Buffer, captured: CapturedPassword): string {
  checkKey(key);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(captured.anchor, 'utf8'));
  const plain = Buffer.from(
    JSON.stringify({ password: captured.password, pwdLastSet: captured.pwdLastSet }),
    'utf8',
  );
  const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  return [version, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

/**
 * Opens a payload made by sealPassword for the same anchor. Throws UP_PASSWORD_SEAL_INVALID
 * when the key, the anchor or the payload differ from those it was sealed with.
 */
export function openSealedPassword(key: Buffer, anchor: string, sealed: string): CapturedPassword {
  checkKey(key);
  const parts = sealed.split('.');
  const [tag, ivText, authTagText, ciphertextText] = parts;
  if (parts.length !== 4 || tag !== version) throw sealInvalid(anchor, 'unknown format');
  const iv = Buffer.from(ivText ?? '', 'base64url');
  const authTag = Buffer.from(authTagText ?? '', 'base64url');
  if (iv.length !== ivBytes || authTag.length !== tagBytes) {
    throw sealInvalid(anchor, 'damaged header');
  }

  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
    decipher.setAAD(Buffer.from(anchor, 'utf8'));
    decipher.setAuthTag(authTag);
    plain = Buffer.concat([
      decipher.update(Buffer.from(ciphertextText ?? '', 'base64url')),
      decipher.final(),
    ]);
  } catch {
    // The cause is not attached: OpenSSL's text says nothing useful and nothing secret, but
    // "authentication failed" is all the reader can act on.
    throw sealInvalid(anchor, 'authentication failed (another key, or a damaged row)');
  }

  const value = JSON.parse(plain.toString('utf8')) as { password: string; pwdLastSet: string };
  plain.fill(0);
  return { anchor, password: value.password, pwdLastSet: value.pwdLastSet };
}

function checkKey(key: Buffer): void {
  if (key.length !== outboxKeyBytes) {
    throw new Error(`The outbox key must be ${outboxKeyBytes} bytes, not ${key.length}.`);
  }
}

function sealInvalid(anchor: string, reason: string): UserPilotError {
  return new UserPilotError(
    'UP_PASSWORD_SEAL_INVALID',
    `A queued password for ${anchor} cannot be decrypted: ${reason}.`,
    {
      hint: "The delivery is dropped; the user's next password change is captured again.",
      details: { anchor },
    },
  );
}
