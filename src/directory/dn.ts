/**
 * Distinguished names per RFC 4514: parsing (hex escapes, quoted and `#` hex values accepted),
 * escaping of attribute values, and comparison. AD compares DN values without regard to case, so
 * the normal form lower-cases types and values; escaped and raw spellings of one DN compare equal.
 */

/** One `type=value` pair of an RDN; `value` is unescaped. */
export interface RdnAttribute {
  type: string;
  value: string;
}

/** One RDN: its pairs (more than one for a multi-valued RDN joined by `+`), and where it starts. */
export interface Rdn {
  attributes: RdnAttribute[];
  /** Offset of the RDN in the parsed text, so the rest of a DN can be cut out unchanged. */
  start: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const typePattern = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)*)$/;
const hexPair = /^[0-9A-Fa-f]{2}$/;

/** Reads RFC 4514 DN text. Throws a RangeError naming the offset of the first problem. */
class DnReader {
  private position = 0;

  constructor(private readonly text: string) {}

  fail(problem: string): never {
    throw new RangeError(
      `Invalid DN ${JSON.stringify(this.text)} at ${this.position}: ${problem}.`,
    );
  }

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.position);
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.position += 1;
  }

  get offset(): number {
    return this.position;
  }

  readType(): string {
    this.skipSpaces();
    const start = this.position;
    while (!this.atEnd() && this.peek() !== '=') this.position += 1;
    if (this.atEnd()) this.fail('missing "="');
    const type = this.text.slice(start, this.position).trim();
    if (!typePattern.test(type)) this.fail(`invalid attribute type ${JSON.stringify(type)}`);
    this.position += 1;
    this.skipSpaces();
    return type;
  }

  readValue(): string {
    if (this.peek() === '#') return this.readHexValue();
    if (this.peek() === '"') return this.readQuotedValue();
    return this.readStringValue();
  }

  /** Reads an unquoted value; unescaped trailing spaces are insignificant and dropped. */
  private readStringValue(): string {
    const plain = /^[^,+;\\]*/.exec(this.text.slice(this.position))?.[0] ?? '';
    const next = this.text.charAt(this.position + plain.length);
    if (next !== '\\') {
      // Most values have no escapes, so they are cut out of the text as they are.
      this.position += plain.length;
      return plain.replace(/ +$/, '');
    }
    const bytes: number[] = [];
    let significantLength = 0;
    while (!this.atEnd() && !',+;'.includes(this.peek())) {
      const char = String.fromCodePoint(this.text.codePointAt(this.position) ?? 0);
      if (char === '\\') {
        this.readEscape(bytes);
        significantLength = bytes.length;
        continue;
      }
      bytes.push(...Buffer.from(char, 'utf8'));
      if (char !== ' ') significantLength = bytes.length;
      this.position += char.length;
    }
    return this.decode(bytes.slice(0, significantLength));
  }

  private readEscape(bytes: number[]): void {
    const next = this.text.slice(this.position + 1, this.position + 3);
    if (hexPair.test(next)) {
      bytes.push(Number.parseInt(next, 16));
      this.position += 3;
      return;
    }
    const char = String.fromCodePoint(this.text.codePointAt(this.position + 1) ?? 0);
    if (this.position + 1 >= this.text.length) this.fail('"\\" at the end');
    bytes.push(...Buffer.from(char, 'utf8'));
    this.position += 1 + char.length;
  }

  private readQuotedValue(): string {
    const bytes: number[] = [];
    this.position += 1;
    while (this.peek() !== '"') {
      if (this.atEnd()) this.fail('unterminated quoted value');
      if (this.peek() === '\\') {
        this.readEscape(bytes);
        continue;
      }
      const char = String.fromCodePoint(this.text.codePointAt(this.position) ?? 0);
      bytes.push(...Buffer.from(char, 'utf8'));
      this.position += char.length;
    }
    this.position += 1;
    this.skipSpaces();
    return this.decode(bytes);
  }

  /** Reads `#` and the hex of a BER value; string types are decoded, others kept as `#hex`. */
  private readHexValue(): string {
    const start = this.position;
    this.position += 1;
    while (/[0-9A-Fa-f]/.test(this.peek())) this.position += 1;
    const hex = this.text.slice(start + 1, this.position);
    this.skipSpaces();
    if (hex.length === 0 || hex.length % 2 !== 0) this.fail('odd or empty "#" hex value');
    return decodeBerString(Buffer.from(hex, 'hex')) ?? `#${hex.toLowerCase()}`;
  }

  private decode(bytes: number[]): string {
    try {
      return utf8.decode(Uint8Array.from(bytes));
    } catch {
      return this.fail('escaped bytes are not UTF-8');
    }
  }

  /** Reads the separator after a value: `+` (same RDN), `,` or `;` (next RDN), or the end. */
  readSeparator(): '+' | ',' | 'end' {
    if (this.atEnd()) return 'end';
    const char = this.peek();
    this.position += 1;
    if (char === '+') return '+';
    if (char === ',' || char === ';') return ',';
    return this.fail(`unexpected ${JSON.stringify(char)}`);
  }
}

/** Decodes a BER-encoded string value (short or long length form); null for other types. */
function decodeBerString(ber: Buffer): string | null {
  const tag = ber[0];
  let length = ber[1] ?? 0;
  let offset = 2;
  if (length > 0x80) {
    const lengthBytes = length - 0x80;
    length = ber.readUIntBE(2, Math.min(lengthBytes, 6));
    offset = 2 + lengthBytes;
  }
  const content = ber.subarray(offset, offset + length);
  if (content.length !== length) return null;
  if (tag === 0x1e) return Buffer.from(content).swap16().toString('utf16le');
  if (tag === 0x04 || tag === 0x0c || tag === 0x13 || tag === 0x16) {
    try {
      return utf8.decode(content);
    } catch {
      return null;
    }
  }
  return null;
}

/** Parses DN text into its RDNs, most specific first. The empty DN (the rootDSE) has none. */
export function parseDn(text: string): Rdn[] {
  const reader = new DnReader(text);
  const rdns: Rdn[] = [];
  reader.skipSpaces();
  if (reader.atEnd()) return rdns;
  let current: Rdn = { attributes: [], start: reader.offset };
  for (;;) {
    const type = reader.readType();
    const value = reader.readValue();
    current.attributes.push({ type, value });
    const separator = reader.readSeparator();
    if (separator === '+') continue;
    rdns.push(current);
    if (separator === 'end') return rdns;
    reader.skipSpaces();
    if (reader.atEnd()) reader.fail('empty RDN after ","');
    current = { attributes: [], start: reader.offset };
  }
}

/** Escapes an attribute value for DN text (RFC 4514 section 2.4; control characters as hex). */
export function escapeDnValue(value: string): string {
  const chars = [...value];
  const last = chars.length - 1;
  return chars
    .map((char, index) => {
      const code = char.codePointAt(0) ?? 0;
      if ('"+,;<>\\='.includes(char)) return `\\${char}`;
      if (code < 0x20 || code === 0x7f) return `\\${code.toString(16).padStart(2, '0')}`;
      if (index === 0 && (char === ' ' || char === '#')) return `\\${char}`;
      if (index === last && char === ' ') return '\\ ';
      return char;
    })
    .join('');
}

/** Formats RDNs as DN text, escaping each value. */
export function formatDn(rdns: readonly Pick<Rdn, 'attributes'>[]): string {
  return rdns
    .map((rdn) =>
      rdn.attributes.map(({ type, value }) => `${type}=${escapeDnValue(value)}`).join('+'),
    )
    .join(',');
}

function normalizeRdn(rdn: Pick<Rdn, 'attributes'>): string {
  return rdn.attributes
    .map(
      ({ type, value }) =>
        `${type.toLowerCase()}=${escapeDnValue(value.normalize('NFC').toLowerCase())}`,
    )
    .sort()
    .join('+');
}

/** Returns the normal form of a DN for comparisons: lower case, one escaping, RDN pairs sorted. */
export function normalizeDn(text: string): string {
  return parseDn(text).map(normalizeRdn).join(',');
}

/** True when both texts name the same entry. */
export function dnEquals(left: string, right: string): boolean {
  return normalizeDn(left) === normalizeDn(right);
}

/** Returns the DN of the parent entry, cut from the text unchanged; the empty string for a one-RDN DN. */
export function parentDn(text: string): string {
  const rdns = parseDn(text);
  const parent = rdns[1];
  return parent === undefined ? '' : text.slice(parent.start);
}

/** True when `dn` is `ancestor` itself or lies anywhere below it. */
export function isDnWithin(dn: string, ancestor: string): boolean {
  const child = parseDn(dn).map(normalizeRdn);
  const base = parseDn(ancestor).map(normalizeRdn);
  if (base.length > child.length) return false;
  const offset = child.length - base.length;
  return base.every((rdn, index) => child[offset + index] === rdn);
}
