/**
 * objectSid codec (MS-DTYP 2.4.2.2): revision byte, sub-authority count, a 48-bit big-endian
 * identifier authority, then that many 32-bit little-endian sub-authorities.
 */

/** Formats SID bytes as `S-1-5-21-...`. */
export function sidFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) {
    throw new RangeError(`A SID has at least 8 bytes, got ${bytes.length}.`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revision = buffer.readUInt8(0);
  const count = buffer.readUInt8(1);
  if (revision !== 1) {
    throw new RangeError(`SID revision ${revision} is not supported (expected 1).`);
  }
  if (buffer.length !== 8 + count * 4) {
    throw new RangeError(
      `A SID with ${count} sub-authorities has ${8 + count * 4} bytes, got ${buffer.length}.`,
    );
  }
  const authority = buffer.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let index = 0; index < count; index += 1) {
    parts.push(String(buffer.readUInt32LE(8 + index * 4)));
  }
  return parts.join('-');
}

/** Parses `S-1-5-21-...` back into the bytes AD stores. */
export function sidToBytes(text: string): Buffer {
  const match = /^S-1-(\d+)((?:-\d+)*)$/i.exec(text);
  if (match === null) {
    throw new RangeError(`Not a SID in S-1-... form: ${JSON.stringify(text)}.`);
  }
  const authority = Number(match[1]);
  const subAuthorities = (match[2] ?? '').split('-').slice(1).map(Number);
  if (authority > 0xffffffffffff || subAuthorities.length > 15) {
    throw new RangeError(`SID out of range: ${JSON.stringify(text)}.`);
  }
  if (subAuthorities.some((value) => value > 0xffffffff)) {
    throw new RangeError(`SID sub-authority out of range: ${JSON.stringify(text)}.`);
  }
  const buffer = Buffer.alloc(8 + subAuthorities.length * 4);
  buffer.writeUInt8(1, 0);
  buffer.writeUInt8(subAuthorities.length, 1);
  buffer.writeUIntBE(authority, 2, 6);
  subAuthorities.forEach((value, index) => buffer.writeUInt32LE(value, 8 + index * 4));
  return buffer;
}
