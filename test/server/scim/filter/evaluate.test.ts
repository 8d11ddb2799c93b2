import { describe, expect, it } from 'vitest';
import { buildFilter } from '../../../../src/server/scim/filter/evaluate.ts';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const barbara = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', enterprise],
  id: '2819c223-7f76-453a-919d-413861904646',
  externalId: '8f7d9c2e-1b3a-4c5d-9e8f-0a1b2c3d4e5f',
  userName: 'Barbara.Jensen@Example.com',
  name: { formatted: 'Ms. Barbara J Jensen', familyName: 'Jensen', givenName: 'Barbara' },
  displayName: 'Babs Jensen',
  title: 'Tour Guide',
  active: true,
  emails: [
    { value: 'Barbara.Jensen@Example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home', primary: false },
  ],
  phoneNumbers: [{ value: '555-555-8377', type: 'work' }],
  meta: {
    resourceType: 'User',
    created: '2010-01-23T04:56:22Z',
    lastModified: '2011-05-13T04:42:34Z',
    version: 'W/"3694e05e9dff591"',
  },
  [enterprise]: {
    employeeNumber: '701984',
    department: 'Tour Operations',
    manager: { value: 'm-1' },
  },
};

const bob = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'b0b',
  userName: 'bob@example.com',
  active: false,
  emails: [{ value: 'bob@example.com', type: 'work', primary: true }],
  meta: {
    resourceType: 'User',
    created: '2012-01-01T00:00:00Z',
    lastModified: '2012-06-01T10:00:00+02:00',
  },
};

const cases: { name: string; filter: string; barbara: boolean; bob: boolean }[] = [
  {
    name: 'userName ignores case',
    filter: 'userName eq "barbara.jensen@example.COM"',
    barbara: true,
    bob: false,
  },
  {
    name: 'USERNAME attribute name ignores case',
    filter: 'USERNAME eq "bob@EXAMPLE.com"',
    barbara: false,
    bob: true,
  },
  {
    name: 'userName with core URN',
    filter: 'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "BOB@example.com"',
    barbara: false,
    bob: true,
  },
  {
    name: 'externalId is case-exact',
    filter: 'externalId eq "8F7D9C2E-1B3A-4C5D-9E8F-0A1B2C3D4E5F"',
    barbara: false,
    bob: false,
  },
  {
    name: 'externalId exact match',
    filter: 'externalId eq "8f7d9c2e-1b3a-4c5d-9e8f-0a1b2c3d4e5f"',
    barbara: true,
    bob: false,
  },
  { name: 'id is case-exact', filter: 'id eq "B0B"', barbara: false, bob: false },
  { name: 'displayName co', filter: 'displayName co "jens"', barbara: true, bob: false },
  { name: 'displayName sw', filter: 'displayName sw "BABS"', barbara: true, bob: false },
  { name: 'displayName ew', filter: 'displayName ew "sen"', barbara: true, bob: false },
  {
    name: 'ne on absent attribute matches',
    filter: 'displayName ne "Babs Jensen"',
    barbara: false,
    bob: true,
  },
  { name: 'pr on absent attribute', filter: 'title pr', barbara: true, bob: false },
  { name: 'eq null on absent attribute', filter: 'title eq null', barbara: false, bob: true },
  { name: 'ne null', filter: 'title ne null', barbara: true, bob: false },
  { name: 'emails implies value', filter: 'emails co "jensen.org"', barbara: true, bob: false },
  { name: 'emails ignores case', filter: 'emails eq "BABS@JENSEN.ORG"', barbara: true, bob: false },
  { name: 'emails.value', filter: 'emails.value ew "@example.com"', barbara: true, bob: true },
  { name: 'emails.type', filter: 'emails.type eq "home"', barbara: true, bob: false },
  {
    name: 'value path',
    filter: 'emails[type eq "work" and value co "jensen"]',
    barbara: true,
    bob: false,
  },
  {
    name: 'value path needs one value to match all',
    filter: 'emails[type eq "home" and primary eq true]',
    barbara: false,
    bob: false,
  },
  {
    name: 'value path with primary',
    filter: 'emails[type eq "work" and primary eq true]',
    barbara: true,
    bob: true,
  },
  {
    name: 'value path sub-attribute case',
    filter: 'emails[TYPE eq "work" and Primary eq true]',
    barbara: true,
    bob: true,
  },
  { name: 'active eq true', filter: 'active eq true', barbara: true, bob: false },
  { name: 'active eq "False" as string', filter: 'active eq "False"', barbara: false, bob: true },
  { name: 'active ne true', filter: 'active ne true', barbara: false, bob: true },
  { name: 'active pr', filter: 'active pr', barbara: true, bob: true },
  {
    name: 'lastModified gt',
    filter: 'meta.lastModified gt "2011-05-13T04:42:34Z"',
    barbara: false,
    bob: true,
  },
  {
    name: 'lastModified ge equal instant',
    filter: 'meta.lastModified ge "2011-05-13T04:42:34Z"',
    barbara: true,
    bob: true,
  },
  {
    name: 'lastModified eq other offset',
    filter: 'meta.lastModified eq "2012-06-01T08:00:00Z"',
    barbara: false,
    bob: true,
  },
  {
    name: 'lastModified lt with millis',
    filter: 'meta.lastModified lt "2011-05-13T04:42:34.001Z"',
    barbara: true,
    bob: false,
  },
  {
    name: 'lastModified le',
    filter: 'meta.lastModified le "2011-05-13T04:42:34Z"',
    barbara: true,
    bob: false,
  },
  {
    name: 'created range',
    filter: 'meta.created gt "2010-01-01T00:00:00Z" and meta.created lt "2011-01-01T00:00:00Z"',
    barbara: true,
    bob: false,
  },
  {
    name: 'string gt ignores case',
    filter: 'userName gt "BARBARA.JENSEN@EXAMPLE.COM"',
    barbara: false,
    bob: true,
  },
  { name: 'string lt', filter: 'userName lt "b"', barbara: false, bob: false },
  { name: 'string le', filter: 'userName le "bob@example.com"', barbara: true, bob: true },
  { name: 'name sub-attribute', filter: 'name.givenName eq "barbara"', barbara: true, bob: false },
  { name: 'name pr', filter: 'name pr', barbara: true, bob: false },
  {
    name: 'or',
    filter: 'userName eq "bob@example.com" or title eq "Tour Guide"',
    barbara: true,
    bob: true,
  },
  { name: 'and', filter: 'userName sw "b" and active eq false', barbara: false, bob: true },
  { name: 'not', filter: 'not (active eq true)', barbara: false, bob: true },
  {
    name: 'precedence',
    filter: 'active eq false or title pr and displayName co "zzz"',
    barbara: false,
    bob: true,
  },
  {
    name: 'grouping',
    filter: '(active eq false or title pr) and displayName co "babs"',
    barbara: true,
    bob: false,
  },
  {
    name: 'enterprise attribute',
    filter: `${enterprise}:department eq "tour operations"`,
    barbara: true,
    bob: false,
  },
  {
    name: 'enterprise manager implies value',
    filter: `${enterprise}:manager eq "m-1"`,
    barbara: true,
    bob: false,
  },
  {
    name: 'enterprise manager.value',
    filter: `${enterprise}:manager.value eq "M-1"`,
    barbara: false,
    bob: false,
  },
  {
    name: 'enterprise URN in other case',
    filter: `${enterprise.toUpperCase()}:employeeNumber eq "701984"`,
    barbara: true,
    bob: false,
  },
  { name: 'meta.resourceType', filter: 'meta.resourceType eq "User"', barbara: true, bob: true },
  { name: 'phoneNumbers', filter: 'phoneNumbers[type eq "work"]', barbara: true, bob: false },
];

describe('filter evaluation', () => {
  it.each(cases)('evaluates $name', ({ filter, barbara: expectBarbara, bob: expectBob }) => {
    const result = buildFilter(filter);
    if (!result.ok) throw result.error;
    expect(result.value(barbara)).toBe(expectBarbara);
    expect(result.value(bob)).toBe(expectBob);
  });
});

const rejected: { name: string; filter: string; problem: string }[] = [
  {
    name: 'unknown attribute',
    filter: 'shoeSize eq "9"',
    problem: '"shoeSize" is not an attribute of the User resource',
  },
  {
    name: 'stored-nowhere attribute',
    filter: 'userType eq "Employee"',
    problem: 'cannot be filtered on, because UserPilot does not store it',
  },
  {
    name: 'unknown sub-attribute',
    filter: 'name.nick eq "x"',
    problem: '"name.nick" is not an attribute',
  },
  {
    name: 'unknown URN',
    filter: 'urn:example:User:userName eq "x"',
    problem: 'is not an attribute of the User resource',
  },
  {
    name: 'enterprise attribute without URN',
    filter: 'department eq "x"',
    problem: '"department" is not an attribute',
  },
  {
    name: 'boolean with gt',
    filter: 'active gt true',
    problem: 'is boolean, so only "eq", "ne" and "pr" apply',
  },
  {
    name: 'boolean with other string',
    filter: 'active eq "yes"',
    problem: 'the value must be true or false',
  },
  {
    name: 'string with number',
    filter: 'userName eq 5',
    problem: 'the value must be a quoted string',
  },
  {
    name: 'dateTime not a time',
    filter: 'meta.lastModified gt "yesterday"',
    problem: 'must be a quoted RFC 3339 time',
  },
  {
    name: 'dateTime with co',
    filter: 'meta.lastModified co "2011"',
    problem: '"co", "sw" and "ew" do not apply',
  },
  {
    name: 'null with gt',
    filter: 'title gt null',
    problem: 'null can only be compared with "eq" or "ne"',
  },
  { name: 'complex without value', filter: 'name eq "x"', problem: '"name" is complex' },
  {
    name: 'value path on simple attribute',
    filter: 'userName[value pr]',
    problem: 'is not a complex attribute',
  },
  {
    name: 'unknown name inside value path',
    filter: 'emails[kind eq "work"]',
    problem: '"emails.kind" is not an attribute',
  },
  {
    name: 'dotted name inside value path',
    filter: 'emails[emails.type eq "work"]',
    problem: 'name a sub-attribute of "emails" only',
  },
  {
    name: 'password',
    filter: 'password eq "secret"',
    problem: '"password" is write-only, so it cannot be used in a filter',
  },
];

describe('filter compile errors', () => {
  it.each(rejected)('rejects $name', ({ filter, problem }) => {
    const result = buildFilter(filter);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UP_SCIM_INVALID_FILTER');
    expect(result.error.message).toContain(problem);
  });
});
