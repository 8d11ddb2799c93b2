/**
 * The canonical user record: what the agent reads from AD, maps, and sends to the hosted
 * service. The agent always sends whole records, never attribute fragments. Attribute values
 * are carried exactly as AD holds them (trailing spaces, emoji and long text included); an
 * attribute AD does not hold is `null`, never an empty string.
 */
export interface DirectoryUserRecord {
  /** objectGUID in Microsoft's text form (first three groups little-endian), lower case. */
  anchor: string;
  dn: string;
  parentDn: string;
  /** objectSid in S-1-5-21-... form. */
  sid: string | null;
  sAMAccountName: string | null;
  userPrincipalName: string | null;
  displayName: string | null;
  givenName: string | null;
  sn: string | null;
  initials: string | null;
  mail: string | null;
  /** The `SMTP:` value of proxyAddresses, without its prefix; null when there is none. */
  primarySmtpAddress: string | null;
  /** The `smtp:` values of proxyAddresses, without their prefix, in AD's order. */
  secondarySmtpAddresses: string[];
  /** proxyAddresses values of other types (X500:, SIP:, ...), exactly as read. */
  otherProxyAddresses: string[];
  title: string | null;
  department: string | null;
  company: string | null;
  /** physicalDeliveryOfficeName. */
  office: string | null;
  telephoneNumber: string | null;
  mobile: string | null;
  /** facsimileTelephoneNumber. */
  fax: string | null;
  homePhone: string | null;
  /** streetAddress. */
  street: string | null;
  /** l. */
  city: string | null;
  /** st. */
  state: string | null;
  postalCode: string | null;
  /** co (the country's name); c and countryCode are not carried. */
  country: string | null;
  description: string | null;
  employeeId: string | null;
  /** The manager's anchor, or null when there is no manager or the manager is unreadable. */
  managerAnchor: string | null;
  /** False when userAccountControl has bit 0x2 (ACCOUNTDISABLE) set. */
  enabled: boolean;
  /** ISO 8601 UTC instant, or null for "never" (AD's 0 and 0x7FFFFFFFFFFFFFFF). */
  accountExpires: string | null;
  /** ISO 8601 UTC instant of the last password set, or null when never set (0). */
  pwdLastSet: string | null;
}

/**
 * Facts about one read of an entry that are per-DC and so never count as a change of state:
 * two DCs report different values for the same unchanged object.
 */
export interface ReadMetadata {
  /** whenChanged as ISO 8601 UTC. */
  whenChanged: string | null;
  uSNChanged: string | null;
}

/** The names of the record's state attributes, in a fixed order (for diffs and tables). */
export const recordAttributes = [
  'anchor',
  'dn',
  'parentDn',
  'sid',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'givenName',
  'sn',
  'initials',
  'mail',
  'primarySmtpAddress',
  'secondarySmtpAddresses',
  'otherProxyAddresses',
  'title',
  'department',
  'company',
  'office',
  'telephoneNumber',
  'mobile',
  'fax',
  'homePhone',
  'street',
  'city',
  'state',
  'postalCode',
  'country',
  'description',
  'employeeId',
  'managerAnchor',
  'enabled',
  'accountExpires',
  'pwdLastSet',
] as const satisfies readonly (keyof DirectoryUserRecord)[];
