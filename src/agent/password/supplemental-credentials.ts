/**
 * Reading AD's `supplementalCredentials` blob (MS-SAMR 2.2.10.1, USER_PROPERTIES): a header, a
 * 96-byte reserved prefix, the signature 'P' and a list of packages, each a UTF-16LE name and
 * its data as ASCII hex. Samba 4.17 adds a `Primary:SambaGPG` package holding the new password
 * encrypted to the keys in smb.conf's `password hash gpg key ids`.
 */

/** One package of the blob, its data already converted from hex to bytes. */
export interface CredentialPackage {
  name: string;
  data: Buffer;
}

const headerBytes = 12;
const prefixBytes = 0x30 * 2;
const signature = 0x0050;

/**
 * Lists the packages of a supplementalCredentials value. Returns an empty list for a blob
 * without the USER_PROPERTIES signature (AD writes only the header for accounts without
 * supplemental credentials) and throws for a truncated one.
 */
export function readCredentialPackages(blob: Buffer): CredentialPackage[] {
  const subLength = blob.length >= 8 ? blob.readUInt32LE(4) : 0;
  const subEnd = headerBytes + subLength;
  if (subLength < prefixBytes + 4 || blob.length < subEnd) return [];
  let offset = headerBytes + prefixBytes;
  if (blob.readUInt16LE(offset) !== signature) return [];
  const count = blob.readUInt16LE(offset + 2);
  offset += 4;

  const packages: CredentialPackage[] = [];
  for (let i = 0; i < count; i += 1) {
    if (offset + 6 > subEnd) throw truncated(i);
    const nameLength = blob.readUInt16LE(offset);
    const dataLength = blob.readUInt16LE(offset + 2);
    const start = offset + 6;
    if (start + nameLength + dataLength > subEnd) throw truncated(i);
    const name = blob.toString('utf16le', start, start + nameLength);
    const hex = blob.toString('latin1', start + nameLength, start + nameLength + dataLength);
    packages.push({ name, data: Buffer.from(hex, 'hex') });
    offset = start + nameLength + dataLength;
  }
  return packages;
}

/**
 * The Samba GPG package, when it is the last package. Samba appends it when it sets a
 * password; a Windows DC that later changes the password keeps the old package but moves it to
 * the front, so one that is not last belongs to an older password (the same rule
 * `samba-tool user syncpasswords` follows).
 */
export function sambaGpgPackage(packages: readonly CredentialPackage[]): Buffer | undefined {
  const last = packages.at(-1);
  return last?.name === 'Primary:SambaGPG' ? last.data : undefined;
}

function truncated(index: number): Error {
  return new Error(`The supplementalCredentials blob ends inside package ${index}.`);
}
