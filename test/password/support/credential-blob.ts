/** Builds a USER_PROPERTIES blob the way AD writes it (MS-SAMR 2.2.10.1). */
export function blobOf(packages: { name: string; data: Buffer }[]): Buffer {
  const body = packages.map(({ name, data }) => {
    const nameBytes = Buffer.from(name, 'utf16le');
    const hex = Buffer.from(data.toString('hex').toUpperCase(), 'latin1');
    const head = Buffer.alloc(6);
    head.writeUInt16LE(nameBytes.length, 0);
    head.writeUInt16LE(hex.length, 2);
    head.writeUInt16LE(1, 4);
    return Buffer.concat([head, nameBytes, hex]);
  });
  const prefix = Buffer.from(' '.repeat(0x30), 'utf16le');
  const signature = Buffer.alloc(4);
  signature.writeUInt16LE(0x50, 0);
  signature.writeUInt16LE(packages.length, 2);
  const sub = Buffer.concat([prefix, signature, ...body]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(sub.length, 4);
  return Buffer.concat([header, sub, Buffer.alloc(1)]);
}
