import { Type, type Static } from 'typebox';
import type { DirectoryUserRecord } from './records.ts';

/**
 * The JSON schema of the canonical user record on the wire. String limits here only bound the
 * request size: the service checks each attribute's real limit per object, so one over-long
 * value rejects that object alone and not its whole batch.
 */
export const maxWireStringLength = 65_536;

/** objectGUID in Microsoft's text form, lower case. */
export const anchorSchema = Type.String({
  pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
  description: "objectGUID in Microsoft's text form (first three groups little-endian), lower case",
});

const text = (description?: string) =>
  Type.String(
    description === undefined
      ? { maxLength: maxWireStringLength }
      : { maxLength: maxWireStringLength, description },
  );

const optionalText = (description?: string) => Type.Union([text(description), Type.Null()]);

const textList = (description: string) => Type.Array(text(), { maxItems: 1000, description });

const isoInstant = (description: string) =>
  Type.Union([Type.String({ format: 'date-time', description }), Type.Null()]);

export const directoryUserRecordSchema = Type.Object(
  {
    anchor: anchorSchema,
    dn: text('distinguishedName'),
    parentDn: text('DN of the parent container'),
    sid: optionalText('objectSid in S-1-5-21-... form'),
    sAMAccountName: optionalText(),
    userPrincipalName: optionalText(),
    displayName: optionalText(),
    givenName: optionalText(),
    sn: optionalText(),
    initials: optionalText(),
    mail: optionalText(),
    primarySmtpAddress: optionalText('The SMTP: value of proxyAddresses, without its prefix'),
    secondarySmtpAddresses: textList('The smtp: values of proxyAddresses, without their prefix'),
    otherProxyAddresses: textList('proxyAddresses values of other types, exactly as read'),
    title: optionalText(),
    department: optionalText(),
    company: optionalText(),
    office: optionalText('physicalDeliveryOfficeName'),
    telephoneNumber: optionalText(),
    mobile: optionalText(),
    fax: optionalText('facsimileTelephoneNumber'),
    homePhone: optionalText(),
    street: optionalText('streetAddress'),
    city: optionalText('l'),
    state: optionalText('st'),
    postalCode: optionalText(),
    country: optionalText('co'),
    description: optionalText(),
    employeeId: optionalText(),
    managerAnchor: Type.Union([anchorSchema, Type.Null()]),
    enabled: Type.Boolean({ description: 'False when userAccountControl has bit 0x2 set' }),
    accountExpires: isoInstant('accountExpires as an ISO 8601 UTC instant; null for never'),
    pwdLastSet: isoInstant('pwdLastSet as an ISO 8601 UTC instant; null when never set'),
  },
  { additionalProperties: false },
);

// Fails to compile when the schema and the record interface drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesRecord: Same<
  Static<typeof directoryUserRecordSchema>,
  DirectoryUserRecord
> = true;
void schemaMatchesRecord;
