/**
 * A small LDIF (RFC 2849) reader and writer for what the lab needs: reading the output of
 * ldbsearch and samba-tool, and writing the seed files for ldapmodify.
 */

/** Parses LDIF records into maps from attribute name to values (base64 values decoded). */
export function parseLdif(text: string): Map<string, string[]>[] {
  const records: Map<string, string[]>[] = [];
  let current = new Map<string, string[]>();
  // Continuation lines start with one space and belong to the line before.
  const lines = text.replace(/\r?\n /g, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.trim() === '') {
      if (current.size > 0) records.push(current);
      current = new Map();
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^([A-Za-z0-9;.-]+)(::?)\s?(.*)$/.exec(line);
    if (match === null) continue;
    const [, name = '', separator, raw = ''] = match;
    const value = separator === '::' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    current.set(name, [...(current.get(name) ?? []), value]);
  }
  if (current.size > 0) records.push(current);
  return records;
}

/** Formats one `name: value` line, in base64 when RFC 2849 does not allow the value as text. */
export function ldifLine(name: string, value: string): string {
  return isSafeString(value)
    ? `${name}: ${value}`
    : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/**
 * Checks for an RFC 2849 SAFE-STRING: ASCII without NUL, CR or LF, not starting with space,
 * colon or `<`. A trailing space is rejected too, because some readers strip it.
 */
function isSafeString(value: string): boolean {
  if (value === '' || value.endsWith(' ')) return value === '';
  for (const [index, character] of [...value].entries()) {
    const code = character.codePointAt(0) ?? 0;
    if (code === 0 || code === 10 || code === 13 || code > 127) return false;
    if (index === 0 && (character === ' ' || character === ':' || character === '<')) return false;
  }
  return true;
}

/** An LDIF change record: an add with its attributes, or a modify that replaces some. */
/** An attribute value: text, or bytes (written in base64). */
export type LdifValue = string | Buffer | readonly string[];

export type LdifChange =
  | { kind: 'add'; dn: string; attributes: Record<string, LdifValue> }
  | { kind: 'replace'; dn: string; attributes: Record<string, LdifValue> };

export function formatLdif(changes: readonly LdifChange[]): string {
  return changes.map(formatChange).join('\n');
}

function formatChange(change: LdifChange): string {
  const lines = [
    ldifLine('dn', change.dn),
    `changetype: ${change.kind === 'add' ? 'add' : 'modify'}`,
  ];
  const entries = Object.entries(change.attributes);
  for (const [index, [name, value]] of entries.entries()) {
    if (change.kind === 'replace') lines.push(`replace: ${name}`);
    if (Buffer.isBuffer(value)) lines.push(`${name}:: ${value.toString('base64')}`);
    else
      for (const item of typeof value === 'string' ? [value] : value)
        lines.push(ldifLine(name, item));
    if (change.kind === 'replace' && index < entries.length - 1) lines.push('-');
  }
  if (change.kind === 'replace') lines.push('-');
  return `${lines.join('\n')}\n`;
}

/** Escapes a value for use in an RDN (RFC 4514 section 2.4). */
export function escapeRdnValue(value: string): string {
  let escaped = value.replace(/[\\,+"<>;=]/g, (character) => `\\${character}`);
  if (escaped.startsWith(' ') || escaped.startsWith('#')) escaped = `\\${escaped}`;
  if (escaped.endsWith(' ')) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}
