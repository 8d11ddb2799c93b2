import { attribute, findAttribute, type AttributeDefinition } from './attributes.ts';

export const coreUserSchemaId = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const enterpriseUserSchemaId = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const multiValueParts = (types: readonly string[], what: string): AttributeDefinition[] => [
  attribute('value', 'string', `The ${what}.`),
  attribute('type', 'string', `The kind of ${what}.`, { canonicalValues: types }),
  attribute('primary', 'boolean', `Whether this is the primary ${what}; at most one is.`),
];

/** The core User attributes that UserPilot stores (RFC 7643 section 4.1). */
export const coreUserAttributes: readonly AttributeDefinition[] = [
  attribute(
    'userName',
    'string',
    'The sign-in name: the mailbox UPN, an address in a registered domain.',
    {
      required: true,
      uniqueness: 'server',
    },
  ),
  attribute('name', 'complex', "The person's name.", {
    subAttributes: [
      attribute('formatted', 'string', 'The full name for display.'),
      attribute('familyName', 'string', 'The family name (AD sn).'),
      attribute('givenName', 'string', 'The given name.'),
    ],
  }),
  attribute('displayName', 'string', 'The name shown in address lists.'),
  attribute('title', 'string', 'The job title.'),
  attribute('active', 'boolean', 'Whether the user may sign in.'),
  attribute('password', 'string', 'The password; write-only, stored only as an argon2id hash.', {
    mutability: 'writeOnly',
    returned: 'never',
    caseExact: true,
  }),
  attribute('emails', 'complex', 'Email addresses. The primary one is the primary SMTP address.', {
    multiValued: true,
    uniqueness: 'server',
    subAttributes: multiValueParts(['work', 'home', 'other'], 'email address'),
  }),
  attribute('phoneNumbers', 'complex', 'Phone numbers.', {
    multiValued: true,
    subAttributes: multiValueParts(['work', 'mobile', 'fax', 'home'], 'phone number'),
  }),
  attribute('addresses', 'complex', 'The work postal address.', {
    multiValued: true,
    subAttributes: [
      attribute('streetAddress', 'string', 'Street and number.'),
      attribute('locality', 'string', 'City.'),
      attribute('region', 'string', 'State or region.'),
      attribute('postalCode', 'string', 'Postal code.'),
      attribute('country', 'string', 'Country.'),
      attribute('type', 'string', 'The kind of address; only work is stored.', {
        canonicalValues: ['work'],
      }),
      attribute('primary', 'boolean', 'Whether this is the primary address.'),
    ],
  }),
];

/** The enterprise extension attributes that UserPilot stores (RFC 7643 section 4.3). */
export const enterpriseUserAttributes: readonly AttributeDefinition[] = [
  attribute('employeeNumber', 'string', 'The employee number (AD employeeID).'),
  attribute('organization', 'string', 'The organization (AD company).'),
  attribute('department', 'string', 'The department.'),
  attribute('manager', 'complex', "The user's manager.", {
    subAttributes: [
      attribute('value', 'string', 'The id of the manager, a User of the same tenant.', {
        caseExact: true,
      }),
      attribute('$ref', 'reference', "The URI of the manager's User resource.", {
        mutability: 'readOnly',
        caseExact: true,
        referenceTypes: ['User'],
      }),
      attribute('displayName', 'string', "The manager's displayName.", {
        mutability: 'readOnly',
      }),
    ],
  }),
];

/** The common attributes every resource has (RFC 7643 section 3.1). */
export const commonAttributes: readonly AttributeDefinition[] = [
  attribute('id', 'string', 'The service-assigned identifier of the user.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attribute(
    'externalId',
    'string',
    "The client's identifier; for an agent-synchronized user, the AD objectGUID.",
    {
      caseExact: true,
    },
  ),
  attribute('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attribute('resourceType', 'string', 'Always User.', {
        mutability: 'readOnly',
        caseExact: true,
      }),
      attribute('created', 'dateTime', 'When the user was created.', { mutability: 'readOnly' }),
      attribute('lastModified', 'dateTime', 'When the user last changed.', {
        mutability: 'readOnly',
      }),
      attribute('location', 'reference', 'The URI of the resource.', {
        mutability: 'readOnly',
        caseExact: true,
      }),
      attribute('version', 'string', 'The weak entity tag of the current version.', {
        mutability: 'readOnly',
        caseExact: true,
      }),
    ],
  }),
];

/**
 * Attributes of the core and enterprise schemas that UserPilot accepts in requests and drops,
 * because a mailbox has no field for them. Clients such as Entra ID send some of them by
 * default (preferredLanguage, addresses.formatted), so rejecting them would break provisioning.
 */
export const ignoredAttributes: ReadonlySet<string> = new Set(
  [
    'nickName',
    'profileUrl',
    'userType',
    'preferredLanguage',
    'locale',
    'timezone',
    'ims',
    'photos',
    'groups',
    'entitlements',
    'roles',
    'x509Certificates',
    'costCenter',
    'division',
    'name.middleName',
    'name.honorificPrefix',
    'name.honorificSuffix',
    'emails.display',
    'phoneNumbers.display',
    'addresses.formatted',
  ].map((name) => name.toLowerCase()),
);

/** Which schema an attribute belongs to, and its definition. */
export interface ResolvedAttribute {
  readonly schema: typeof coreUserSchemaId | typeof enterpriseUserSchemaId;
  readonly definition: AttributeDefinition;
}

/**
 * Resolves a top-level attribute name, with or without a schema URN prefix, ignoring case.
 * Returns undefined for names the User resource does not have.
 */
export function resolveUserAttribute(
  schemaUrn: string | undefined,
  name: string,
): ResolvedAttribute | undefined {
  const urn = schemaUrn?.toLowerCase();
  if (urn === undefined || urn === coreUserSchemaId.toLowerCase()) {
    const definition =
      findAttribute(commonAttributes, name) ?? findAttribute(coreUserAttributes, name);
    return definition && { schema: coreUserSchemaId, definition };
  }
  if (urn === enterpriseUserSchemaId.toLowerCase()) {
    const definition = findAttribute(enterpriseUserAttributes, name);
    return definition && { schema: enterpriseUserSchemaId, definition };
  }
  return undefined;
}

/** Tells whether an attribute (optionally with a sub-attribute) is one that requests may carry
 * and UserPilot drops. */
export function isIgnoredAttribute(name: string, subAttribute?: string): boolean {
  const full = subAttribute === undefined ? name : `${name}.${subAttribute}`;
  return ignoredAttributes.has(full.toLowerCase()) || ignoredAttributes.has(name.toLowerCase());
}
