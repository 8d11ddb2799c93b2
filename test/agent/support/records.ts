import type { DirectoryUserRecord } from '../../../src/protocol/records.ts';

/** A deterministic anchor for test record `index`. */
export function testAnchor(index: number): string {
  const hex = index.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** A complete canonical record for unit tests; `overrides` replaces attributes. */
export function testRecord(
  index: number,
  overrides: Partial<DirectoryUserRecord> = {},
): DirectoryUserRecord {
  const name = `user${index}`;
  return {
    anchor: testAnchor(index),
    dn: `CN=${name},OU=Staff,DC=lab,DC=example`,
    parentDn: 'OU=Staff,DC=lab,DC=example',
    sid: `S-1-5-21-1-2-3-${1000 + index}`,
    sAMAccountName: name,
    userPrincipalName: `${name}@lab.example`,
    displayName: `User ${index}`,
    givenName: 'User',
    sn: String(index),
    initials: null,
    mail: `${name}@lab.example`,
    primarySmtpAddress: null,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    title: null,
    department: 'Sales',
    company: null,
    office: null,
    telephoneNumber: null,
    mobile: null,
    fax: null,
    homePhone: null,
    street: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    description: null,
    employeeId: null,
    managerAnchor: null,
    enabled: true,
    accountExpires: null,
    pwdLastSet: null,
    ...overrides,
  };
}
