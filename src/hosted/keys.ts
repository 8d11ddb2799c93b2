import { domainToASCII } from 'node:url';

/**
 * Case-insensitive keys and address syntax. Keys are computed here and not in SQL, because
 * SQLite's lower() folds only ASCII: a key is the Unicode NFC form, lower-cased.
 */

/** The case-insensitive key of a UPN, an address, a domain or a display name. */
export function keyOf(value: string): string {
  return value.normalize('NFC').toLowerCase();
}

export function keyOrNull(value: string | null): string | null {
  return value === null ? null : keyOf(value);
}

/**
 * Returns the first invisible format character (Unicode category Cf, such as U+202E or U+200B)
 * in a value as `U+XXXX`, or null. Such characters can make an address display as another one.
 */
export function formatCharacterIn(value: string): string | null {
  const match = /\p{Cf}/u.exec(value);
  if (match === null) return null;
  const codePoint = match[0].codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Returns the key of a domain name: NFC, lower case, then its ASCII (punycode) form, so
 * `bücher.example` and `xn--bcher-kva.example` are one domain. Returns null when the name has
 * no ASCII form.
 */
export function domainNameKey(name: string): string | null {
  const ascii = domainToASCII(keyOf(name));
  return ascii === '' ? null : ascii;
}

/** A DNS label: letters (any script), digits and inner hyphens, 1 to 63 characters. */
const labelPattern = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;

/** Tells whether a name is a DNS domain of at least two labels, at most 253 characters. */
export function isDomainName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.normalize('NFC').split('.');
  return labels.length >= 2 && labels.every((label) => labelPattern.test(label));
}

export interface ParsedAddress {
  localPart: string;
  domain: string;
}

/** The maximum length of an email address (RFC 5321 path limit minus the brackets). */
export const maxAddressLength = 254;

/**
 * Splits an email address into local part and domain, or returns null when it is not one: one
 * `@`, a local part of 1 to 64 characters without spaces, control or format characters or quotes, and a
 * domain name of at least two labels.
 */
export function parseAddress(value: string): ParsedAddress | null {
  if (value.length > maxAddressLength) return null;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at !== value.indexOf('@')) return null;

  const localPart = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (localPart.length > 64 || /[\s"<>(),;:\\[\]\p{Cc}\p{Cf}]/u.test(localPart)) return null;
  if (localPart.startsWith('.') || localPart.endsWith('.') || localPart.includes('..')) {
    return null;
  }
  return isDomainName(domain) ? { localPart, domain } : null;
}

/**
 * Returns the domain key of an address (see domainNameKey), or null when it is not an address.
 * NOTE: address and UPN keys keep the domain as written, so `a@bücher.example` and
 * `a@xn--bcher-kva.example` are two addresses that could belong to two mailboxes.
 */
export function domainKeyOf(address: string): string | null {
  const parsed = parseAddress(address);
  return parsed === null ? null : domainNameKey(parsed.domain);
}
