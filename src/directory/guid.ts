/**
 * objectGUID codec. AD stores a GUID as 16 bytes whose first three groups are little-endian
 * (Microsoft's GUID structure: Data1 uint32, Data2 uint16, Data3 uint16, Data4 8 bytes), so the
 * text form reverses those groups' bytes and keeps the last two as they are.
 */

const guidTextPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Byte positions, in the stored order, that make up the text form from left to right. */
const textOrder = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}

/** Formats 16 objectGUID bytes as lower-case text, e.g. `5c887249-4b01-42fb-b4f4-9d9dd71d790d`. */
export function guidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 16) {
    throw new RangeError(`A GUID has 16 bytes, got ${bytes.length}.`);
  }
  const hex = textOrder.map((index) => hexByte(bytes[index] ?? 0)).join('');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join('-');
}

/** True when `text` is a GUID in the 8-4-4-4-12 hexadecimal text form (either case). */
export function isGuidText(text: string): boolean {
  return guidTextPattern.test(text);
}

/** Parses the text form back into the 16 bytes AD stores. */
export function guidToBytes(text: string): Buffer {
  if (!isGuidText(text)) {
    throw new RangeError(`Not a GUID in 8-4-4-4-12 text form: ${JSON.stringify(text)}.`);
  }
  const hex = text.replaceAll('-', '');
  const bytes = Buffer.alloc(16);
  textOrder.forEach((storedIndex, textIndex) => {
    bytes[storedIndex] = Number.parseInt(hex.slice(textIndex * 2, textIndex * 2 + 2), 16);
  });
  return bytes;
}

/**
 * Escapes every byte as `\hh` (RFC 4515), the form an LDAP filter needs to match a binary value,
 * e.g. `(objectGUID=\49\72...)`.
 */
export function escapeFilterBytes(bytes: Uint8Array): string {
  let escaped = '';
  for (const value of bytes) escaped += `\\${hexByte(value)}`;
  return escaped;
}

/** The filter escape of a GUID given in text form. */
export function guidFilterValue(text: string): string {
  return escapeFilterBytes(guidToBytes(text));
}
