import { escapeRdnValue, type LdifChange } from './ldif.ts';
import type { FixtureUser, LabFixture } from './fixture.ts';
import { profileAttributes } from './fixture.ts';

/** userAccountControl NORMAL_ACCOUNT (0x200), and with ACCOUNTDISABLE (0x2). */
export const normalAccount = 512;
export const disabledAccount = 514;

/** Builds the DN of an OU path given from the domain root down. */
export function ouDn(path: readonly string[], baseDn: string): string {
  return [...path]
    .reverse()
    .map((name) => `OU=${escapeRdnValue(name)}`)
    .concat(baseDn)
    .join(',');
}

export function userDn(user: FixtureUser, baseDn: string): string {
  return `CN=${escapeRdnValue(user.cn)},${ouDn(user.ou, baseDn)}`;
}

/** Converts an ISO time to a Windows FILETIME (100 ns ticks since 1601-01-01) as text. */
export function toFileTime(iso: string): string {
  const milliseconds = BigInt(new Date(iso).getTime());
  return ((milliseconds + 11_644_473_600_000n) * 10_000n).toString();
}

/** Encodes a password as unicodePwd wants it: quoted, in UTF-16LE. */
export function unicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/**
 * Builds the fixture's LDIF changes: OUs parents first, then users, then the manager links,
 * which must come after both ends exist because AD checks DN-valued attributes.
 */
export function fixtureChanges(
  fixture: LabFixture,
  baseDn: string,
  passwords: Readonly<Record<string, string>>,
): LdifChange[] {
  const ous = [...fixture.ous].sort((a, b) => a.length - b.length);
  const changes: LdifChange[] = ous.map((path) => ({
    kind: 'add',
    dn: ouDn(path, baseDn),
    attributes: { objectClass: 'organizationalUnit', ou: path.at(-1) ?? '' },
  }));
  for (const user of fixture.users) {
    changes.push({
      kind: 'add',
      dn: userDn(user, baseDn),
      attributes: userAttributes(user, passwords),
    });
  }
  const bySam = new Map(fixture.users.map((user) => [user.sAMAccountName, user]));
  for (const user of fixture.users) {
    if (user.manager === undefined) continue;
    const manager = bySam.get(user.manager);
    if (manager === undefined)
      throw new Error(`fixture user ${user.sAMAccountName} names unknown manager ${user.manager}`);
    changes.push({
      kind: 'replace',
      dn: userDn(user, baseDn),
      attributes: { manager: userDn(manager, baseDn) },
    });
  }
  return changes;
}

function userAttributes(
  user: FixtureUser,
  passwords: Readonly<Record<string, string>>,
): Record<string, string | Buffer | readonly string[]> {
  const attributes: Record<string, string | Buffer | readonly string[]> = {
    objectClass: 'user',
    cn: user.cn,
    sAMAccountName: user.sAMAccountName,
    userPrincipalName: user.userPrincipalName,
    userAccountControl: String(user.disabled === true ? disabledAccount : normalAccount),
  };
  for (const name of profileAttributes) {
    const value = user[name];
    if (value !== undefined) attributes[name] = value;
  }
  if (user.proxyAddresses !== undefined) attributes.proxyAddresses = user.proxyAddresses;
  if (user.accountExpires !== undefined)
    attributes.accountExpires = toFileTime(user.accountExpires);
  const password = passwords[user.sAMAccountName];
  if (password !== undefined) attributes.unicodePwd = unicodePwd(password);
  return attributes;
}
