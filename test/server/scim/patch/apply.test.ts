import { describe, expect, it } from 'vitest';
import type { ResourceObject } from '../../../../src/server/scim/filter/evaluate.ts';
import { patchResource } from '../../../../src/server/scim/patch/apply.ts';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const user: ResourceObject = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', enterprise],
  id: 'u-1',
  userName: 'barbara@example.com',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  displayName: 'Babs Jensen',
  active: true,
  emails: [
    { value: 'barbara@example.com', type: 'work', primary: true },
    { value: 'babs@example.com', type: 'other' },
  ],
  phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
  meta: {
    resourceType: 'User',
    created: '2026-01-01T00:00:00Z',
    lastModified: '2026-01-01T00:00:00Z',
  },
  [enterprise]: { department: 'Tours', manager: { value: 'm-1' } },
};

/** A PATCH body with the PatchOp schema around the given operations. */
const body = (...operations: unknown[]) => ({ schemas: [patchOp], Operations: operations });

interface Case {
  name: string;
  request: unknown;
  /** A subset the patched user must match (arrays match whole). */
  expected?: ResourceObject;
  /** Top-level attributes, or `enterprise.X`, that must be absent afterwards. */
  absent?: string[];
}

const cases: Case[] = [
  // Shaped like Microsoft Entra ID's published SCIM requests.
  {
    name: 'Entra replace of work email and family name',
    request: body(
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'updatedEmail@example.com' },
      { op: 'Replace', path: 'name.familyName', value: 'updatedFamilyName' },
    ),
    expected: {
      emails: [
        { value: 'updatedEmail@example.com', type: 'work', primary: true },
        { value: 'babs@example.com', type: 'other' },
      ],
      name: { givenName: 'Barbara', familyName: 'updatedFamilyName' },
    },
  },
  {
    name: 'Entra replace of userName',
    request: body({ op: 'Replace', path: 'userName', value: 'b.jensen@example.com' }),
    expected: { userName: 'b.jensen@example.com' },
  },
  {
    name: 'Entra disable with boolean',
    request: body({ op: 'Replace', path: 'active', value: false }),
    expected: { active: false },
  },
  {
    name: 'Entra disable with string False',
    request: body({ op: 'Replace', path: 'active', value: 'False' }),
    expected: { active: false },
  },
  {
    name: 'Entra enable with string True',
    request: body({ op: 'replace', path: 'active', value: 'True' }),
    expected: { active: true },
  },
  {
    name: 'Entra add of a work phone that does not exist yet',
    request: body({
      op: 'Add',
      path: 'phoneNumbers[type eq "mobile"].value',
      value: '+1 555 0199',
    }),
    expected: {
      phoneNumbers: [
        { value: '+1 555 0100', type: 'work' },
        { value: '+1 555 0199', type: 'mobile' },
      ],
    },
  },
  {
    name: 'Entra add of a work address part',
    request: body(
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '1 Main St' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Springfield' },
      { op: 'Add', path: 'addresses[type eq "work"].formatted', value: '1 Main St, Springfield' },
    ),
    expected: {
      addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield' }],
    },
  },
  {
    name: 'Entra manager as a bare id',
    request: body({ op: 'Add', path: `${enterprise}:manager`, value: 'm-2' }),
    expected: { [enterprise]: { department: 'Tours', manager: { value: 'm-2' } } },
  },
  {
    name: 'Entra manager as an object',
    request: body({ op: 'replace', path: `${enterprise}:manager`, value: { value: 'm-3' } }),
    expected: { [enterprise]: { department: 'Tours', manager: { value: 'm-3' } } },
  },
  {
    name: 'Entra remove of the manager',
    request: body({ op: 'Remove', path: `${enterprise}:manager` }),
    expected: { [enterprise]: { department: 'Tours' } },
    absent: ['enterprise.manager'],
  },
  {
    name: 'Entra attribute-less replace with dotted keys',
    request: body({
      op: 'Replace',
      value: {
        displayName: 'B. Jensen',
        'name.givenName': 'Barb',
        [`${enterprise}:department`]: 'Sales',
      },
    }),
    expected: {
      displayName: 'B. Jensen',
      name: { givenName: 'Barb', familyName: 'Jensen' },
      [enterprise]: { department: 'Sales', manager: { value: 'm-1' } },
    },
  },
  {
    name: 'Entra replace of externalId and default-mapped preferredLanguage',
    request: body(
      { op: 'Add', path: 'externalId', value: 'bjensen' },
      { op: 'Add', path: 'preferredLanguage', value: 'en-US' },
    ),
    expected: { externalId: 'bjensen' },
    absent: ['preferredLanguage'],
  },
  {
    name: 'Entra attribute-less add with a value-path key',
    request: body({
      op: 'Add',
      value: { 'emails[type eq "work"].value': 'work@example.com', 'name.familyName': 'J.' },
    }),
    expected: {
      emails: [
        { value: 'work@example.com', type: 'work', primary: true },
        { value: 'babs@example.com', type: 'other' },
      ],
      name: { givenName: 'Barbara', familyName: 'J.' },
    },
  },
  // Shaped like Okta's published SCIM requests.
  {
    name: 'Okta deactivate without a path',
    request: body({ op: 'replace', value: { active: false } }),
    expected: { active: false },
  },
  {
    name: 'Okta password without a path',
    request: body({ op: 'replace', value: { password: 'n3w Pässword!' } }),
    expected: { password: 'n3w Pässword!' },
  },
  {
    name: 'Okta profile update with id echoed',
    request: body({
      op: 'replace',
      value: { id: 'u-1', displayName: 'Barbara J.', title: 'Guide' },
    }),
    expected: { id: 'u-1', displayName: 'Barbara J.', title: 'Guide' },
  },
  // RFC 7644 semantics.
  {
    name: 'add appends an email',
    request: body({
      op: 'add',
      path: 'emails',
      value: [{ value: 'bj@example.org', type: 'home' }],
    }),
    expected: {
      emails: [
        { value: 'barbara@example.com', type: 'work', primary: true },
        { value: 'babs@example.com', type: 'other' },
        { value: 'bj@example.org', type: 'home' },
      ],
    },
  },
  {
    name: 'add of an existing email merges',
    request: body({
      op: 'add',
      path: 'emails',
      value: { value: 'BABS@example.com', type: 'home' },
    }),
    expected: {
      emails: [
        { value: 'barbara@example.com', type: 'work', primary: true },
        { value: 'BABS@example.com', type: 'home' },
      ],
    },
  },
  {
    name: 'add of a primary email clears the old primary',
    request: body({
      op: 'add',
      path: 'emails',
      value: [{ value: 'new@example.com', type: 'work', primary: true }],
    }),
    expected: {
      emails: [
        { value: 'barbara@example.com', type: 'work', primary: false },
        { value: 'babs@example.com', type: 'other' },
        { value: 'new@example.com', type: 'work', primary: true },
      ],
    },
  },
  {
    name: 'replace of primary through a value path',
    request: body({
      op: 'replace',
      path: 'emails[value eq "babs@example.com"].primary',
      value: true,
    }),
    expected: {
      emails: [
        { value: 'barbara@example.com', type: 'work', primary: false },
        { value: 'babs@example.com', type: 'other', primary: true },
      ],
    },
  },
  {
    name: 'replace of the whole list',
    request: body({
      op: 'replace',
      path: 'emails',
      value: [{ value: 'only@example.com', primary: true }],
    }),
    expected: { emails: [{ value: 'only@example.com', primary: true }] },
  },
  {
    name: 'replace of a value path without sub-attribute merges',
    request: body({
      op: 'replace',
      path: 'emails[type eq "other"]',
      value: { value: 'other@example.com' },
    }),
    expected: {
      emails: [
        { value: 'barbara@example.com', type: 'work', primary: true },
        { value: 'other@example.com', type: 'other' },
      ],
    },
  },
  {
    name: 'remove through a value path',
    request: body({ op: 'remove', path: 'emails[type eq "other"]' }),
    expected: { emails: [{ value: 'barbara@example.com', type: 'work', primary: true }] },
  },
  {
    name: 'remove of a sub-attribute drops the emptied value',
    request: body({ op: 'remove', path: 'phoneNumbers[type eq "work"].value' }),
    absent: ['phoneNumbers'],
  },
  {
    name: 'remove with a value list',
    request: body({ op: 'remove', path: 'emails', value: [{ value: 'babs@example.com' }] }),
    expected: { emails: [{ value: 'barbara@example.com', type: 'work', primary: true }] },
  },
  {
    name: 'remove of a whole multi-valued attribute',
    request: body({ op: 'remove', path: 'phoneNumbers' }),
    absent: ['phoneNumbers'],
  },
  {
    name: 'remove of a single attribute',
    request: body({ op: 'remove', path: 'displayName' }),
    absent: ['displayName'],
  },
  {
    name: 'replace with null unassigns',
    request: body({ op: 'replace', path: 'displayName', value: null }),
    absent: ['displayName'],
  },
  {
    name: 'add to complex merges sub-attributes',
    request: body({ op: 'add', path: 'name', value: { givenName: 'Barbie' } }),
    expected: { name: { givenName: 'Barbie', familyName: 'Jensen' } },
  },
  {
    name: 'attribute names ignore case',
    request: body(
      { op: 'REPLACE', path: 'DisplayName', value: 'X' },
      { op: 'add', path: 'NAME.GIVENNAME', value: 'Y' },
    ),
    expected: { displayName: 'X', name: { givenName: 'Y', familyName: 'Jensen' } },
  },
  {
    name: 'core URN prefix on a path',
    request: body({
      op: 'replace',
      path: 'urn:ietf:params:scim:schemas:core:2.0:User:title',
      value: 'Boss',
    }),
    expected: { title: 'Boss' },
  },
  {
    name: 'enterprise extension object as path',
    request: body({
      op: 'add',
      path: enterprise,
      value: { employeeNumber: '42', organization: 'Example' },
    }),
    expected: {
      [enterprise]: {
        department: 'Tours',
        manager: { value: 'm-1' },
        employeeNumber: '42',
        organization: 'Example',
      },
    },
  },
  {
    name: 'enterprise extension object without path',
    request: body({ op: 'add', value: { [enterprise]: { department: 'Ops' } } }),
    expected: { [enterprise]: { department: 'Ops', manager: { value: 'm-1' } } },
  },
  {
    name: 'remove of the last enterprise attribute drops the extension',
    request: body(
      { op: 'remove', path: `${enterprise}:department` },
      { op: 'remove', path: `${enterprise}:manager` },
    ),
    absent: [enterprise],
  },
  {
    name: 'Operations key in lower case',
    request: { schemas: [patchOp], operations: [{ op: 'replace', path: 'title', value: 'T' }] },
    expected: { title: 'T' },
  },
  {
    name: 'operations apply in order',
    request: body(
      { op: 'replace', path: 'title', value: 'first' },
      { op: 'replace', path: 'title', value: 'second' },
    ),
    expected: { title: 'second' },
  },
];

describe('PATCH operations', () => {
  it.each(cases)('applies $name', ({ request, expected, absent }) => {
    const result = patchResource(user, request);
    if (!result.ok) throw result.error;
    if (expected !== undefined) expect(result.value).toMatchObject(expected);
    for (const key of absent ?? []) {
      const [container, name] = key.startsWith('enterprise.')
        ? [result.value[enterprise] as ResourceObject, key.slice('enterprise.'.length)]
        : [result.value, key];
      expect(container).not.toHaveProperty([name]);
    }
  });

  it('leaves the input resource unchanged', () => {
    const before = structuredClone(user);
    const result = patchResource(user, body({ op: 'remove', path: 'emails' }));
    expect(result.ok).toBe(true);
    expect(user).toEqual(before);
  });
});

const errors: { name: string; request: unknown; code: string; scimType: string; detail: string }[] =
  [
    {
      name: 'body not an object',
      request: [],
      code: 'UP_SCIM_INVALID_SYNTAX',
      scimType: 'invalidSyntax',
      detail: 'must be a JSON object',
    },
    {
      name: 'wrong schema',
      request: { schemas: ['urn:x'], Operations: [] },
      code: 'UP_SCIM_INVALID_SYNTAX',
      scimType: 'invalidSyntax',
      detail: '"schemas" must list',
    },
    {
      name: 'no operations',
      request: body(),
      code: 'UP_SCIM_INVALID_SYNTAX',
      scimType: 'invalidSyntax',
      detail: 'at least one operation',
    },
    {
      name: 'unknown op',
      request: body({ op: 'move', path: 'title', value: 'x' }),
      code: 'UP_SCIM_INVALID_SYNTAX',
      scimType: 'invalidSyntax',
      detail: 'Operations[0].op must be "add", "replace" or "remove", not "move"',
    },
    {
      name: 'add without value',
      request: body({ op: 'add', path: 'title' }),
      code: 'UP_SCIM_INVALID_SYNTAX',
      scimType: 'invalidSyntax',
      detail: 'needs a "value"',
    },
    {
      name: 'remove without path',
      request: body({ op: 'remove' }),
      code: 'UP_SCIM_NO_TARGET',
      scimType: 'noTarget',
      detail: 'without a "path"',
    },
    {
      name: 'unknown attribute',
      request: body({ op: 'replace', path: 'shoeSize', value: '9' }),
      code: 'UP_SCIM_INVALID_PATH',
      scimType: 'invalidPath',
      detail: '"shoeSize" is not an attribute',
    },
    {
      name: 'unknown sub-attribute',
      request: body({ op: 'replace', path: 'name.nick', value: 'x' }),
      code: 'UP_SCIM_INVALID_PATH',
      scimType: 'invalidPath',
      detail: '"name.nick" is not an attribute',
    },
    {
      name: 'malformed path',
      request: body({ op: 'replace', path: 'emails[type eq "work"', value: 'x' }),
      code: 'UP_SCIM_INVALID_PATH',
      scimType: 'invalidPath',
      detail: 'The path "emails[type eq \\"work\\"" is invalid at the end: expected "]"',
    },
    {
      name: 'filter on single-valued',
      request: body({ op: 'replace', path: 'name[givenName eq "x"]', value: {} }),
      code: 'UP_SCIM_INVALID_PATH',
      scimType: 'invalidPath',
      detail: 'is not a multi-valued complex attribute',
    },
    {
      name: 'unknown name in value filter',
      request: body({ op: 'replace', path: 'emails[kind eq "work"].value', value: 'x' }),
      code: 'UP_SCIM_INVALID_PATH',
      scimType: 'invalidPath',
      detail: '"emails.kind" is not an attribute',
    },
    {
      name: 'replace of a non-eq filter with no match',
      request: body({
        op: 'replace',
        path: 'emails[value co "nowhere"].value',
        value: 'x@example.com',
      }),
      code: 'UP_SCIM_NO_TARGET',
      scimType: 'noTarget',
      detail: 'matched no value',
    },
    {
      name: 'remove with no match',
      request: body({ op: 'remove', path: 'emails[type eq "home"]' }),
      code: 'UP_SCIM_NO_TARGET',
      scimType: 'noTarget',
      detail: 'matched no value',
    },
    {
      name: 'active as other string',
      request: body({ op: 'replace', path: 'active', value: 'no' }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: '"active" is invalid: it must be true or false, not "no"',
    },
    {
      name: 'string as number',
      request: body({ op: 'replace', path: 'title', value: 7 }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: 'must be a string, not the number 7',
    },
    {
      name: 'single-valued given an array',
      request: body({ op: 'replace', path: 'title', value: ['a'] }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: 'is single-valued',
    },
    {
      name: 'complex given a number',
      request: body({ op: 'replace', path: 'name', value: 3 }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: 'must be an object',
    },
    {
      name: 'unknown key in complex value',
      request: body({
        op: 'add',
        path: 'emails',
        value: { value: 'a@example.com', colour: 'red' },
      }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: '"emails.colour" is not an attribute',
    },
    {
      name: 'pathless value not an object',
      request: body({ op: 'replace', value: 'x' }),
      code: 'UP_SCIM_INVALID_VALUE',
      scimType: 'invalidValue',
      detail: 'must be an object of attributes',
    },
    {
      name: 'change of id',
      request: body({ op: 'replace', path: 'id', value: 'u-2' }),
      code: 'UP_SCIM_MUTABILITY',
      scimType: 'mutability',
      detail: '"id" is read-only',
    },
    {
      name: 'change of meta',
      request: body({ op: 'replace', value: { meta: { resourceType: 'Group' } } }),
      code: 'UP_SCIM_MUTABILITY',
      scimType: 'mutability',
      detail: '"meta" is read-only',
    },
    {
      name: 'change of manager.$ref',
      request: body({ op: 'add', path: `${enterprise}:manager.$ref`, value: 'https://x/Users/1' }),
      code: 'UP_SCIM_MUTABILITY',
      scimType: 'mutability',
      detail: 'is read-only',
    },
  ];

describe('PATCH errors', () => {
  it.each(errors)('rejects $name', ({ request, code, scimType, detail }) => {
    const result = patchResource(user, request);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(code);
    expect(result.error.scimType).toBe(scimType);
    expect(result.error.toBody().detail).toContain(detail);
  });
});
