/**
 * The NT hash of a password: MD4 of its UTF-16LE form, which AD keeps in `unicodePwd`. The
 * capture compares it with the decrypted password to make sure the Samba GPG blob belongs to
 * the current password. MD4 is written out here because OpenSSL 3 (as Node 20 links it) only
 * offers MD4 through its legacy provider. RFC 1320 defines the algorithm.
 */
export function ntHash(passwordUtf16le: Buffer): Buffer {
  return md4(passwordUtf16le);
}

const shifts = [
  [3, 7, 11, 19],
  [3, 5, 9, 13],
  [3, 9, 11, 15],
] as const;

const round3Order = [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15] as const;

/** MD4 of `message` (RFC 1320). */
export function md4(message: Buffer): Buffer {
  const bitLength = message.length * 8;
  const paddedLength = Math.ceil((message.length + 9) / 64) * 64;
  const padded = Buffer.alloc(paddedLength);
  message.copy(padded);
  padded[message.length] = 0x80;
  padded.writeUInt32LE(bitLength >>> 0, paddedLength - 8);
  padded.writeUInt32LE(Math.floor(bitLength / 2 ** 32), paddedLength - 4);

  const state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const words = new Array<number>(16);
  for (let offset = 0; offset < paddedLength; offset += 64) {
    for (let i = 0; i < 16; i += 1) words[i] = padded.readUInt32LE(offset + i * 4);
    compress(state, words);
  }

  const digest = Buffer.alloc(16);
  state.forEach((value, i) => digest.writeUInt32LE(value >>> 0, i * 4));
  padded.fill(0);
  return digest;
}

function compress(state: number[], x: number[]): void {
  let [a, b, c, d] = state as [number, number, number, number];
  const f = (p: number, q: number, r: number): number => (p & q) | (~p & r);
  const g = (p: number, q: number, r: number): number => (p & q) | (p & r) | (q & r);
  const h = (p: number, q: number, r: number): number => p ^ q ^ r;
  const rotate = (v: number, s: number): number => (v << s) | (v >>> (32 - s));

  for (let round = 0; round < 3; round += 1) {
    for (let i = 0; i < 16; i += 1) {
      const k = round === 0 ? i : round === 1 ? (i % 4) * 4 + Math.floor(i / 4) : round3Order[i]!;
      const mix = round === 0 ? f(b, c, d) : round === 1 ? g(b, c, d) : h(b, c, d);
      const constant = round === 0 ? 0 : round === 1 ? 0x5a827999 : 0x6ed9eba1;
      const sum = (a + mix + x[k]! + constant) | 0;
      const rotated = rotate(sum, shifts[round]![i % 4]!);
      [a, b, c, d] = [d, rotated, b, c];
    }
  }

  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
}
