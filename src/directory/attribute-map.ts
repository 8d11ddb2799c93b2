import type { DirectoryUserRecord, ReadMetadata } from '../protocol/records.ts';

/**
 * How one AD attribute becomes fields of the canonical user record. This table is the whole
 * mapping: the reader requests exactly these attributes, and the entry mapper applies each row.
 * Keeping it as data lets it become configurable.
 */

/** How the values of one attribute are decoded. */
export type FieldCodec =
  /** A single UTF-8 string, carried exactly (spaces, emoji and length untouched). */
  | 'text'
  /** 16 bytes of objectGUID, as Microsoft's GUID text. */
  | 'guid'
  /** objectSid bytes, as `S-1-...`. */
  | 'sid'
  /** A DN-valued attribute read with the extended DN control, as the target's anchor. */
  | 'dnAnchor'
  /** userAccountControl: enabled unless bit 0x2 (ACCOUNTDISABLE) is set. */
  | 'accountEnabled'
  /** integer8 FILETIME; 0 and 0x7FFFFFFFFFFFFFFF are "never" (null). */
  | 'filetime'
  /** GeneralizedTime with Z or an explicit offset. */
  | 'generalizedTime'
  /** A decimal integer kept as text (USNs exceed 2^53 on old DCs). */
  | 'integerText';

export type RecordField = Exclude<
  keyof DirectoryUserRecord,
  'dn' | 'parentDn' | 'primarySmtpAddress' | 'secondarySmtpAddresses' | 'otherProxyAddresses'
>;

/** A row that fills one field of the record or of its read metadata. */
export interface FieldMapping {
  attribute: string;
  target: 'record' | 'metadata';
  field: RecordField | keyof ReadMetadata;
  codec: FieldCodec;
  /** An entry without this attribute is not a usable user entry. */
  required?: true;
}

/** proxyAddresses fills three fields: `SMTP:` primary, `smtp:` secondary, and every other type. */
export interface ProxyAddressesMapping {
  attribute: 'proxyAddresses';
  target: 'proxyAddresses';
}

export type AttributeMapping = FieldMapping | ProxyAddressesMapping;

const text = (attribute: string, field: RecordField): FieldMapping => ({
  attribute,
  target: 'record',
  field,
  codec: 'text',
});

export const attributeMap: readonly AttributeMapping[] = [
  { attribute: 'objectGUID', target: 'record', field: 'anchor', codec: 'guid', required: true },
  { attribute: 'objectSid', target: 'record', field: 'sid', codec: 'sid' },
  text('sAMAccountName', 'sAMAccountName'),
  text('userPrincipalName', 'userPrincipalName'),
  text('displayName', 'displayName'),
  text('givenName', 'givenName'),
  text('sn', 'sn'),
  text('initials', 'initials'),
  text('mail', 'mail'),
  { attribute: 'proxyAddresses', target: 'proxyAddresses' },
  text('title', 'title'),
  text('department', 'department'),
  text('company', 'company'),
  text('physicalDeliveryOfficeName', 'office'),
  text('telephoneNumber', 'telephoneNumber'),
  text('mobile', 'mobile'),
  text('facsimileTelephoneNumber', 'fax'),
  text('homePhone', 'homePhone'),
  text('streetAddress', 'street'),
  text('l', 'city'),
  text('st', 'state'),
  text('postalCode', 'postalCode'),
  text('co', 'country'),
  text('description', 'description'),
  text('employeeID', 'employeeId'),
  { attribute: 'manager', target: 'record', field: 'managerAnchor', codec: 'dnAnchor' },
  {
    attribute: 'userAccountControl',
    target: 'record',
    field: 'enabled',
    codec: 'accountEnabled',
    required: true,
  },
  { attribute: 'accountExpires', target: 'record', field: 'accountExpires', codec: 'filetime' },
  { attribute: 'pwdLastSet', target: 'record', field: 'pwdLastSet', codec: 'filetime' },
  {
    attribute: 'whenChanged',
    target: 'metadata',
    field: 'whenChanged',
    codec: 'generalizedTime',
  },
  { attribute: 'uSNChanged', target: 'metadata', field: 'uSNChanged', codec: 'integerText' },
];

/** Attributes whose values ldapts must hand over as bytes (else some come back as broken text). */
export const binaryAttributes: readonly string[] = attributeMap
  .filter((row) => row.target !== 'proxyAddresses' && (row.codec === 'guid' || row.codec === 'sid'))
  .map((row) => row.attribute);

/** The attributes a read requests: every attribute of the table. */
export const requestedAttributes: readonly string[] = attributeMap.map((row) => row.attribute);
