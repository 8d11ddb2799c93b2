import { describe, expect, it } from 'vitest';
import type { ResourceObject } from '../../../../src/server/scim/filter/evaluate.ts';
import { buildSort, readPaging } from '../../../../src/server/scim/users/list-query.ts';
import { projectResource, readProjection } from '../../../../src/server/scim/users/projection.ts';

const core = 'urn:ietf:params:scim:schemas:core:2.0:User';
const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const user: ResourceObject = {
  schemas: [core, enterprise],
  id: 'u-1',
  userName: 'ada@example.com',
  name: { givenName: 'Ada', familyName: 'Lovelace' },
  title: 'Analyst',
  emails: [
    { value: 'ada@example.com', type: 'work', primary: true },
    { value: 'al@example.com', type: 'other' },
  ],
  [enterprise]: { department: 'Maths', employeeNumber: '1815' },
  meta: { resourceType: 'User', version: 'W/"1"' },
};

const cases: { name: string; attributes?: string; excluded?: string; expected: ResourceObject }[] =
  [
    {
      name: 'one attribute keeps id and schemas',
      attributes: 'userName',
      expected: { schemas: [core], id: 'u-1', userName: 'ada@example.com' },
    },
    {
      name: 'names in other case',
      attributes: 'USERNAME,Title',
      expected: { schemas: [core], id: 'u-1', userName: 'ada@example.com', title: 'Analyst' },
    },
    {
      name: 'sub-attributes',
      attributes: 'name.givenName,emails.value',
      expected: {
        schemas: [core],
        id: 'u-1',
        name: { givenName: 'Ada' },
        emails: [{ value: 'ada@example.com' }, { value: 'al@example.com' }],
      },
    },
    {
      name: 'URN-prefixed names',
      attributes: `${core}:title,${enterprise}:department`,
      expected: {
        schemas: [core, enterprise],
        id: 'u-1',
        title: 'Analyst',
        [enterprise]: { department: 'Maths' },
      },
    },
    {
      name: 'whole extension',
      attributes: enterprise,
      expected: {
        schemas: [core, enterprise],
        id: 'u-1',
        [enterprise]: { department: 'Maths', employeeNumber: '1815' },
      },
    },
    {
      name: 'unknown names are ignored',
      attributes: 'userName,shoeSize,name.nick',
      expected: { schemas: [core], id: 'u-1', userName: 'ada@example.com' },
    },
    {
      name: 'excluded attribute and sub-attribute',
      excluded: 'title,emails.type,meta',
      expected: {
        schemas: [core, enterprise],
        id: 'u-1',
        userName: 'ada@example.com',
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [{ value: 'ada@example.com', primary: true }, { value: 'al@example.com' }],
        [enterprise]: { department: 'Maths', employeeNumber: '1815' },
      },
    },
    {
      name: 'excluding id is ignored',
      excluded: `id,${enterprise}:department,${enterprise}:employeeNumber,name,emails,meta,title`,
      expected: { schemas: [core], id: 'u-1', userName: 'ada@example.com' },
    },
  ];

describe('attribute projection', () => {
  it.each(cases)('projects $name', ({ attributes, excluded, expected }) => {
    expect(projectResource(user, readProjection(attributes, excluded))).toEqual(expected);
  });

  it('leaves the resource unchanged', () => {
    const before = structuredClone(user);
    projectResource(user, readProjection(undefined, 'emails.type,title'));
    expect(user).toEqual(before);
  });
});

describe('paging parameters', () => {
  it.each([
    ['defaults', undefined, undefined, { startIndex: 1, count: 100 }],
    ['given values', '11', '5', { startIndex: 11, count: 5 }],
    ['startIndex below 1', '0', '5', { startIndex: 1, count: 5 }],
    ['negative count', '1', '-3', { startIndex: 1, count: 0 }],
    ['count above the maximum', '1', '10000', { startIndex: 1, count: 500 }],
    ['numbers from a search body', 3, 7, { startIndex: 3, count: 7 }],
  ])('reads %s', (_name, startIndex, count, expected) => {
    expect(readPaging(startIndex, count)).toEqual(expected);
  });

  it.each([
    ['startIndex', 'one', '1'],
    ['count', '1', '2.5'],
  ])('rejects a non-integer %s', (name, startIndex, count) => {
    expect(() => readPaging(startIndex, count)).toThrow(`The parameter ${name} must be an integer`);
  });
});

describe('sort', () => {
  const users: ResourceObject[] = [
    { id: '3', userName: 'carol@example.com', meta: { created: '2026-01-03T00:00:00Z' } },
    {
      id: '1',
      userName: 'Alice@example.com',
      title: 'B',
      meta: { created: '2026-01-02T00:00:00Z' },
    },
    {
      id: '2',
      userName: 'bob@example.com',
      title: 'A',
      meta: { created: '2026-01-01T00:00:00+01:00' },
    },
  ];
  const ids = (sortBy: string, order?: string) =>
    [...users].sort(buildSort(sortBy, order)).map((u) => u.id);

  it.each([
    ['userName ignoring case', 'userName', undefined, ['1', '2', '3']],
    ['userName descending', 'userName', 'descending', ['3', '2', '1']],
    ['missing values last', 'title', 'ascending', ['2', '1', '3']],
    ['missing values first descending', 'title', 'descending', ['3', '1', '2']],
    ['dateTime by instant', 'meta.created', 'Ascending', ['2', '1', '3']],
    ['emails by value', 'emails', undefined, ['1', '2', '3']],
  ])('sorts by %s', (_name, sortBy, order, expected) => {
    expect(ids(sortBy, order)).toEqual(expected);
  });

  it('rejects an unknown sortOrder', () => {
    expect(() => buildSort('userName', 'sideways')).toThrow(
      'sortOrder must be "ascending" or "descending"',
    );
  });

  it('rejects an unknown sortBy', () => {
    expect(() => buildSort('shoeSize', undefined)).toThrow('sortBy is invalid');
  });
});
