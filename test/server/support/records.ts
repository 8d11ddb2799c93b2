import type { DirectoryUserRecord } from '../../../src/protocol/records.ts';

/** A deterministic anchor (lower-case GUID text) for test object number `index`. */
export function anchorOf(index: number, tenantSalt = 0): string {
  const hex = (index + tenantSalt * 1_000_000_000).toString(16).padStart(12, '0');
  return `0000${tenantSalt.toString(16).padStart(4, '0')}-0000-4000-8000-${hex}`;
}

/** A complete record of user number `index` whose UPN is in `domain`. */
export function makeRecord(
  index: number,
  domain: string,
  overrides: Partial<DirectoryUserRecord> = {},
  tenantSalt = 0,
): DirectoryUserRecord {
  const name = `user${index}`;
  const parentDn = 'OU=Staff,DC=lab,DC=test';
  return {
    anchor: anchorOf(index, tenantSalt),
    dn: `CN=User ${index},${parentDn}`,
    parentDn,
    sid: `S-1-5-21-1-2-3-${1000 + index}`,
    sAMAccountName: name,
    userPrincipalName: `${name}@${domain}`,
    displayName: `User ${index}`,
    givenName: 'User',
    sn: String(index),
    initials: null,
    mail: `${name}@${domain}`,
    primarySmtpAddress: `${name}@${domain}`,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    title: 'Engineer',
    department: 'Research',
    company: 'Example Ltd',
    office: null,
    telephoneNumber: null,
    mobile: null,
    fax: null,
    homePhone: null,
    street: null,
    city: 'Lyon',
    state: null,
    postalCode: null,
    country: 'France',
    description: null,
    employeeId: String(index),
    managerAnchor: null,
    enabled: true,
    accountExpires: null,
    pwdLastSet: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
