import { createHash } from 'node:crypto';
import { keyOf } from '../../../hosted/keys.ts';
import type { Mailbox, MailboxProfile } from '../../../hosted/types.ts';
import { isObject, type ResourceObject } from '../filter/evaluate.ts';
import { invalidValue } from '../schema/coerce.ts';
import { coreUserSchemaId, enterpriseUserSchemaId } from '../schema/user-schema.ts';
import { elementsOf } from '../patch/elements.ts';

/** The manager of a user as SCIM shows it: the manager's User id and its display name. */
export interface ManagerRef {
  id: string;
  displayName: string | null;
}

/** The SCIM phone types and the mailbox profile fields that hold them. */
export const phoneFields = {
  work: 'telephoneNumber',
  mobile: 'mobile',
  fax: 'fax',
  home: 'homePhone',
} as const satisfies Record<string, keyof MailboxProfile>;

type PhoneType = keyof typeof phoneFields;

/** The parts of a SCIM work address and the profile fields that hold them. */
export const addressFields = {
  streetAddress: 'street',
  locality: 'city',
  region: 'state',
  postalCode: 'postalCode',
  country: 'country',
} as const satisfies Record<string, keyof MailboxProfile>;

/** The mailbox profile fields that SCIM reads and writes; the others (office, initials, ...) it
 * leaves alone. */
export const scimProfileFields = [
  'givenName',
  'sn',
  'title',
  'department',
  'company',
  'employeeId',
  ...Object.values(phoneFields),
  ...Object.values(addressFields),
] as const satisfies readonly (keyof MailboxProfile)[];

export type ScimProfile = Pick<MailboxProfile, (typeof scimProfileFields)[number]>;

/** What a User resource sets on a mailbox. */
export interface UserFields {
  upn: string;
  otherAddresses: string[];
  displayName: string | null;
  profile: ScimProfile;
  /** Undefined when the resource has no `active`, which keeps the current sign-in state. */
  enabled: boolean | undefined;
  password: string | undefined;
  externalId: string | null;
  managerId: string | null;
}

/**
 * Builds the User resource of a mailbox. `location` is the resource's URL. The primary email
 * is the UPN (the hosted rule), the other addresses follow as type "other".
 */
export function mailboxToResource(
  mailbox: Mailbox,
  location: string,
  manager: ManagerRef | null,
): ResourceObject {
  const profile = mailbox.profile;
  const resource: ResourceObject = { schemas: [coreUserSchemaId], id: mailbox.id };
  if (mailbox.linkedAnchor !== null) resource.externalId = mailbox.linkedAnchor;
  resource.userName = mailbox.upn;
  setIfAny(resource, 'name', {
    formatted: joinName(profile.givenName, profile.sn),
    familyName: profile.sn,
    givenName: profile.givenName,
  });
  setIfAny(resource, 'displayName', mailbox.displayName);
  setIfAny(resource, 'title', profile.title);
  resource.active = mailbox.enabled;
  resource.emails = [
    { value: mailbox.primaryAddress, type: 'work', primary: true },
    ...mailbox.otherAddresses.map((address) => ({ value: address, type: 'other' })),
  ];
  const phones = Object.entries(phoneFields)
    .filter(([, field]) => profile[field] !== null)
    .map(([type, field]) => ({ value: profile[field], type }));
  if (phones.length > 0) resource.phoneNumbers = phones;
  const address = Object.fromEntries(
    Object.entries(addressFields).flatMap(([part, field]) =>
      profile[field] === null ? [] : [[part, profile[field]]],
    ),
  );
  if (Object.keys(address).length > 0) resource.addresses = [{ type: 'work', ...address }];

  const extension = enterpriseOf(profile, manager, location);
  if (Object.keys(extension).length > 0) {
    resource.schemas = [coreUserSchemaId, enterpriseUserSchemaId];
    resource[enterpriseUserSchemaId] = extension;
  }
  resource.meta = {
    resourceType: 'User',
    created: mailbox.createdAt,
    lastModified: mailbox.updatedAt,
    location,
    version: versionOf(resource, mailbox),
  };
  return resource;
}

function enterpriseOf(
  profile: MailboxProfile,
  manager: ManagerRef | null,
  location: string,
): ResourceObject {
  const extension: ResourceObject = {};
  setIfAny(extension, 'employeeNumber', profile.employeeId);
  setIfAny(extension, 'organization', profile.company);
  setIfAny(extension, 'department', profile.department);
  if (manager !== null) {
    const reference = `${location.slice(0, location.lastIndexOf('/') + 1)}${manager.id}`;
    extension.manager = {
      value: manager.id,
      $ref: reference,
      ...(manager.displayName === null ? {} : { displayName: manager.displayName }),
    };
  }
  return extension;
}

/**
 * Computes the weak entity tag of a user: a hash over every value SCIM shows, the update time
 * and the password state, so any change of the mailbox, its password or its manager changes it.
 */
function versionOf(resource: ResourceObject, mailbox: Mailbox): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([resource, mailbox.updatedAt, mailbox.password]))
    .digest('base64url');
  return `W/"${hash.slice(0, 22)}"`;
}

/**
 * Reads the mailbox fields from a User resource in the canonical form (after coercion or PATCH).
 * Throws an invalidValue ScimError for a missing userName, a userName with a control
 * character, or a phone or address type that a mailbox has no field for.
 */
export function resourceToFields(resource: ResourceObject): UserFields {
  const userName = resource.userName;
  if (typeof userName !== 'string' || userName.trim() === '') {
    throw invalidValue('userName', 'is required and must be a non-empty string');
  }
  const upn = userName.trim();
  checkNoControlCharacter('userName', upn);
  const name = isObject(resource.name) ? resource.name : {};
  const extension = isObject(resource[enterpriseUserSchemaId])
    ? resource[enterpriseUserSchemaId]
    : {};
  const manager = isObject(extension.manager) ? extension.manager : {};

  return {
    upn,
    otherAddresses: otherAddressesOf(upn, resource.emails),
    displayName: text(resource.displayName),
    profile: {
      givenName: text(name.givenName),
      sn: text(name.familyName),
      title: text(resource.title),
      department: text(extension.department),
      company: text(extension.organization),
      employeeId: text(extension.employeeNumber),
      ...phonesOf(resource.phoneNumbers),
      ...addressOf(resource.addresses),
    },
    enabled: typeof resource.active === 'boolean' ? resource.active : undefined,
    password: typeof resource.password === 'string' ? resource.password : undefined,
    externalId: text(resource.externalId),
    managerId: text(manager.value),
  };
}

// eslint-disable-next-line no-control-regex -- the pattern exists to find control characters
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws invalidValue naming the attribute and the first C0 or C1 control character. */
function checkNoControlCharacter(label: string, value: string): void {
  const match = controlCharacter.exec(value);
  if (match === null) return;
  const codePoint = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  throw invalidValue(
    label,
    `contains the control character U+${codePoint} at character ${match.index + 1}`,
  );
}

/**
 * Lists the addresses other than the UPN, in order, without duplicates (ignoring case). An email
 * marked primary that differs from userName is kept as another address, because the primary
 * SMTP address of a mailbox is always its UPN.
 */
function otherAddressesOf(upn: string, emails: unknown): string[] {
  const seen = new Set([keyOf(upn)]);
  const result: string[] = [];
  for (const email of elementsOf(emails)) {
    const value = text(email.value)?.trim();
    if (value === undefined || value === '' || seen.has(keyOf(value))) continue;
    seen.add(keyOf(value));
    result.push(value);
  }
  return result;
}

function phonesOf(phoneNumbers: unknown): Pick<ScimProfile, (typeof phoneFields)[PhoneType]> {
  const phones = { telephoneNumber: null, mobile: null, fax: null, homePhone: null } as Record<
    (typeof phoneFields)[PhoneType],
    string | null
  >;
  for (const phone of elementsOf(phoneNumbers)) {
    const type = (text(phone.type) ?? 'work').toLowerCase();
    if (!(type in phoneFields)) {
      throw invalidValue(
        'phoneNumbers.type',
        `is "${type}", but only work, mobile, fax and home numbers can be stored`,
      );
    }
    const field = phoneFields[type as PhoneType];
    if (phones[field] !== null)
      throw invalidValue('phoneNumbers', `has more than one number of type "${type}"`);
    phones[field] = text(phone.value);
  }
  return phones;
}

function addressOf(
  addresses: unknown,
): Pick<ScimProfile, (typeof addressFields)[keyof typeof addressFields]> {
  const result = {
    street: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
  } as Record<(typeof addressFields)[keyof typeof addressFields], string | null>;
  const list = elementsOf(addresses);
  for (const address of list) {
    const type = (text(address.type) ?? 'work').toLowerCase();
    if (type !== 'work')
      throw invalidValue('addresses.type', `is "${type}", but only the work address can be stored`);
  }
  if (list.length > 1) throw invalidValue('addresses', 'has more than one work address');
  const [address] = list;
  if (address === undefined) return result;
  for (const [part, field] of Object.entries(addressFields)) result[field] = text(address[part]);
  return result;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function joinName(given: string | null, family: string | null): string | null {
  const joined = [given, family].filter((part) => part !== null).join(' ');
  return joined === '' ? null : joined;
}

/** Sets a value unless it is null, or, for an object, unless every member is null. */
function setIfAny(
  target: ResourceObject,
  key: string,
  value: string | null | Record<string, string | null>,
): void {
  if (value === null) return;
  if (typeof value === 'string') {
    target[key] = value;
    return;
  }
  const present = Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null));
  if (Object.keys(present).length > 0) target[key] = present;
}
