import { describe, expect, it } from 'vitest';
import { emptyProfile } from '../../../../src/hosted/mailbox-model.ts';
import type { Mailbox } from '../../../../src/hosted/types.ts';
import type { ResourceObject } from '../../../../src/server/scim/filter/evaluate.ts';
import { linkedChanges, mailboxPatchOf } from '../../../../src/server/scim/users/changes.ts';
import {
  mailboxToResource,
  resourceToFields,
  type UserFields,
} from '../../../../src/server/scim/users/mapping.ts';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const location = 'https://mail.example/scim/v2/Users/m-1';

const mailbox: Mailbox = {
  id: 'm-1',
  tenantId: 't-1',
  upn: 'Ada@example.com',
  primaryAddress: 'Ada@example.com',
  otherAddresses: ['ada.lovelace@example.com'],
  displayName: 'Ada Lovelace',
  profile: {
    ...emptyProfile(),
    givenName: 'Ada',
    sn: 'Lovelace',
    title: 'Analyst',
    department: 'Mathematics',
    company: 'Analytical Engines',
    employeeId: '1815',
    telephoneNumber: '+44 1',
    fax: '+44 2',
    street: '12 St James Sq',
    city: 'London',
    country: 'UK',
    office: 'Room 1',
  },
  enabled: true,
  accountExpires: null,
  linkedAnchor: '0a1b2c3d-0000-4000-8000-000000000001',
  linkedAt: '2026-01-01T00:00:00.000Z',
  deletedAt: null,
  purgeAfter: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T00:00:00.000Z',
  password: { synchronized: false },
};

describe('mailbox to User resource', () => {
  it('maps every field', () => {
    const resource = mailboxToResource(mailbox, location, {
      id: 'm-0',
      displayName: 'Charles Babbage',
    });
    const { meta, ...rest } = resource as { meta: Record<string, unknown> } & ResourceObject;
    expect(rest).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', enterprise],
      id: 'm-1',
      externalId: '0a1b2c3d-0000-4000-8000-000000000001',
      userName: 'Ada@example.com',
      name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
      displayName: 'Ada Lovelace',
      title: 'Analyst',
      active: true,
      emails: [
        { value: 'Ada@example.com', type: 'work', primary: true },
        { value: 'ada.lovelace@example.com', type: 'other' },
      ],
      phoneNumbers: [
        { value: '+44 1', type: 'work' },
        { value: '+44 2', type: 'fax' },
      ],
      addresses: [
        { type: 'work', streetAddress: '12 St James Sq', locality: 'London', country: 'UK' },
      ],
      [enterprise]: {
        employeeNumber: '1815',
        organization: 'Analytical Engines',
        department: 'Mathematics',
        manager: {
          value: 'm-0',
          $ref: 'https://mail.example/scim/v2/Users/m-0',
          displayName: 'Charles Babbage',
        },
      },
    });
    expect(meta).toMatchObject({
      resourceType: 'User',
      created: mailbox.createdAt,
      lastModified: mailbox.updatedAt,
      location,
    });
    expect(meta.version).toMatch(/^W\/"[A-Za-z0-9_-]{22}"$/);
  });

  it('leaves out empty values', () => {
    const bare: Mailbox = {
      ...mailbox,
      otherAddresses: [],
      displayName: null,
      profile: emptyProfile(),
      linkedAnchor: null,
    };
    const resource = mailboxToResource(bare, location, null);
    expect(Object.keys(resource).sort()).toEqual([
      'active',
      'emails',
      'id',
      'meta',
      'schemas',
      'userName',
    ]);
    expect(resource.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
  });

  it.each([
    ['update time', { updatedAt: '2026-01-03T00:00:00.000Z' }],
    [
      'password state',
      {
        password: {
          synchronized: true,
          pwdLastSet: '2026-01-01T00:00:00.000Z',
          receivedAt: '2026-01-01T00:00:01.000Z',
        },
      },
    ],
    ['display name', { displayName: 'A. L.' }],
  ] as const)('changes the version with the %s', (_name, change) => {
    const before = mailboxToResource(mailbox, location, null).meta as { version: string };
    const after = mailboxToResource({ ...mailbox, ...change }, location, null).meta as {
      version: string;
    };
    expect(after.version).not.toBe(before.version);
  });

  it('changes the version with the manager', () => {
    const without = mailboxToResource(mailbox, location, null).meta as { version: string };
    const withManager = mailboxToResource(mailbox, location, { id: 'm-0', displayName: null })
      .meta as { version: string };
    expect(withManager.version).not.toBe(without.version);
  });
});

const fieldCases: { name: string; resource: ResourceObject; expected: Record<string, unknown> }[] =
  [
    {
      name: 'phone without type is work',
      resource: {
        userName: 'a@example.com',
        phoneNumbers: [{ value: '1' }, { value: '2', type: 'Mobile' }],
      },
      expected: {
        profile: expect.objectContaining({
          telephoneNumber: '1',
          mobile: '2',
          fax: null,
          homePhone: null,
        }) as unknown,
      },
    },
    {
      name: 'primary email other than userName is kept',
      resource: {
        userName: 'a@example.com',
        emails: [
          { value: 'b@example.com', primary: true },
          { value: 'A@EXAMPLE.COM' },
          { value: 'B@example.com' },
        ],
      },
      expected: { upn: 'a@example.com', otherAddresses: ['b@example.com'] },
    },
    {
      name: 'userName is trimmed',
      resource: { userName: '  a@example.com ' },
      expected: { upn: 'a@example.com', otherAddresses: [] },
    },
    {
      name: 'active left out keeps the state',
      resource: { userName: 'a@example.com' },
      expected: { enabled: undefined, password: undefined, externalId: null, managerId: null },
    },
    {
      name: 'enterprise fields',
      resource: {
        userName: 'a@example.com',
        externalId: 'x-1',
        [enterprise]: {
          department: 'D',
          organization: 'O',
          employeeNumber: '7',
          manager: { value: 'm-9' },
        },
      },
      expected: {
        externalId: 'x-1',
        managerId: 'm-9',
        profile: expect.objectContaining({
          department: 'D',
          company: 'O',
          employeeId: '7',
        }) as unknown,
      },
    },
    {
      name: 'work address',
      resource: {
        userName: 'a@example.com',
        addresses: [
          { streetAddress: 'S', locality: 'L', region: 'R', postalCode: 'P', country: 'C' },
        ],
      },
      expected: {
        profile: expect.objectContaining({
          street: 'S',
          city: 'L',
          state: 'R',
          postalCode: 'P',
          country: 'C',
        }) as unknown,
      },
    },
  ];

describe('User resource to mailbox fields', () => {
  it.each(fieldCases)('reads $name', ({ resource, expected }) => {
    expect(resourceToFields(resource)).toMatchObject(expected);
  });

  it.each([
    ['missing userName', { displayName: 'x' }, '"userName" is invalid: it is required'],
    ['empty userName', { userName: ' ' }, 'is required'],
    [
      'pager phone',
      { userName: 'a@example.com', phoneNumbers: [{ value: '1', type: 'pager' }] },
      'only work, mobile, fax and home',
    ],
    [
      'two mobile phones',
      {
        userName: 'a@example.com',
        phoneNumbers: [
          { value: '1', type: 'mobile' },
          { value: '2', type: 'mobile' },
        ],
      },
      'more than one number of type "mobile"',
    ],
    [
      'home address',
      { userName: 'a@example.com', addresses: [{ type: 'home', locality: 'x' }] },
      'only the work address',
    ],
    [
      'two work addresses',
      { userName: 'a@example.com', addresses: [{ locality: 'x' }, { locality: 'y' }] },
      'more than one work address',
    ],
  ])('rejects %s', (_name, resource, detail) => {
    expect(() => resourceToFields(resource)).toThrow(detail);
  });
});

describe('changes of a mailbox', () => {
  const fields = () =>
    resourceToFields(mailboxToResource(mailbox, location, { id: 'm-0', displayName: null }));

  it('patch of an unchanged resource is empty', () => {
    expect(mailboxPatchOf(mailbox, fields())).toEqual({});
  });

  it('patch holds only changed fields', () => {
    const changed = {
      ...fields(),
      displayName: 'New',
      enabled: false,
      profile: { ...fields().profile, mobile: '+1' },
    };
    expect(mailboxPatchOf(mailbox, changed)).toEqual({
      displayName: 'New',
      enabled: false,
      profile: { mobile: '+1' },
    });
  });

  it('linked user ignores case-only changes', () => {
    const same = {
      ...fields(),
      upn: 'ADA@EXAMPLE.COM',
      otherAddresses: ['Ada.Lovelace@Example.com'],
    };
    expect(linkedChanges(mailbox, 'm-0', same)).toEqual([]);
  });

  it.each<[string, Partial<UserFields>]>([
    ['userName', { upn: 'other@example.com' }],
    ['emails', { otherAddresses: [] }],
    ['displayName', { displayName: null }],
    ['active', { enabled: false }],
    ['password', { password: 'secret secret' }],
    ['externalId', { externalId: 'someone-else' }],
    ['enterprise manager', { managerId: 'm-2' }],
  ])('linked user reports %s', (attribute, change) => {
    expect(linkedChanges(mailbox, 'm-0', { ...fields(), ...change })).toEqual([attribute]);
  });

  it('linked user reports profile fields by SCIM name', () => {
    const profile = { ...fields().profile, fax: null, city: 'Paris', department: 'X' };
    expect(linkedChanges(mailbox, 'm-0', { ...fields(), profile })).toEqual([
      'enterprise department',
      'phoneNumbers[type eq "fax"]',
      'addresses.locality',
    ]);
  });

  it('linked user without manager in the request is unchanged', () => {
    expect(
      linkedChanges(mailbox, 'm-0', { ...fields(), managerId: null, externalId: null }),
    ).toEqual([]);
  });
});
