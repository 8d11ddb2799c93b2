/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call --
   The tests read SCIM response bodies as untyped JSON, the way a SCIM client does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, storeEngines, type TestDatabase } from '../support/test-server.ts';
import {
  createScimTenant,
  directoryUser,
  startScimServer,
  type ScimResponse,
  type ScimTestServer,
  type ScimTestTenant,
} from './support/scim-server.ts';

const enterprise = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const errorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';
const system = { kind: 'system' } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Asserts a SCIM error response and returns its body. */
function expectScimError(response: ScimResponse, status: number, scimType?: string): Json {
  const body = response.body as Json;
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toContain('application/scim+json');
  expect(body.schemas).toEqual([errorSchema]);
  expect(body.status).toBe(String(status));
  if (scimType !== undefined) expect(body.scimType).toBe(scimType);
  expect(typeof body.detail).toBe('string');
  return body;
}

describe.each(storeEngines)('SCIM Users on $name', (engine) => {
  const { logger, lines } = captureLogger();
  let database: TestDatabase;
  let server: ScimTestServer;
  let alpha: ScimTestTenant;
  let bravo: ScimTestTenant;

  const send = (
    tenant: ScimTestTenant | undefined,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) =>
    server.http.send({
      method,
      path: `/scim/v2${path}`,
      token: tenant?.token,
      body,
      ...(headers === undefined ? {} : { headers }),
    });

  /** Creates a user through SCIM and returns the response body. */
  const createUser = async (
    tenant: ScimTestTenant,
    local: string,
    extra: Json = {},
  ): Promise<Json> => {
    const response = await send(tenant, 'POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${local}@${tenant.domain}`,
      ...extra,
    });
    if (response.status !== 201)
      throw new Error(`create returned ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body as Json;
  };

  beforeAll(async () => {
    database = await engine.create();
    server = await startScimServer(database.url, logger);
    alpha = await createScimTenant(server.service, 'Alpha');
    bravo = await createScimTenant(server.service, 'Bravo');
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  describe('discovery', () => {
    it('ServiceProviderConfig lists the features', async () => {
      const response = await send(alpha, 'GET', '/ServiceProviderConfig');
      const body = response.body as Json;
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toContain('application/scim+json');
      expect(body.patch).toEqual({ supported: true });
      expect(body.bulk.supported).toBe(false);
      expect(body.filter).toEqual({ supported: true, maxResults: 500 });
      expect(body.sort).toEqual({ supported: true });
      expect(body.etag).toEqual({ supported: true });
      expect(body.authenticationSchemes[0].type).toBe('oauthbearertoken');
      expect(body.meta.location).toBe(`${server.url}/scim/v2/ServiceProviderConfig`);
    });

    it('ResourceTypes lists User only', async () => {
      const body = (await send(alpha, 'GET', '/ResourceTypes')).body as Json;
      expect(body.totalResults).toBe(1);
      expect(body.Resources[0].id).toBe('User');
      expect(body.Resources[0].schemaExtensions).toEqual([{ schema: enterprise, required: false }]);
      expectScimError(await send(alpha, 'GET', '/ResourceTypes/Group'), 404);
    });

    it('Schemas lists User and EnterpriseUser', async () => {
      const body = (await send(alpha, 'GET', '/Schemas')).body as Json;
      expect(body.Resources.map((schema: Json) => schema.id)).toEqual([
        'urn:ietf:params:scim:schemas:core:2.0:User',
        enterprise,
      ]);
      const user = (await send(alpha, 'GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User'))
        .body as Json;
      const userName = user.attributes.find((attribute: Json) => attribute.name === 'userName');
      expect(userName).toMatchObject({ caseExact: false, uniqueness: 'server', required: true });
      const password = user.attributes.find((attribute: Json) => attribute.name === 'password');
      expect(password).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
      expectScimError(await send(alpha, 'GET', '/Schemas/urn:example:Group'), 404);
    });

    it.each([
      ['GET', '/Groups'],
      ['POST', '/Groups'],
      ['PATCH', '/Groups/abc'],
      ['POST', '/Bulk'],
      ['GET', '/Me'],
    ] as const)('%s %s answers 501', async (method, path) => {
      const body = expectScimError(
        await send(alpha, method, path, method === 'GET' ? undefined : {}),
        501,
      );
      expect(body.detail).toContain('not supported');
    });

    it('unknown endpoint answers 404', async () => {
      expectScimError(await send(alpha, 'GET', '/Widgets'), 404);
    });

    it('wrong method answers 405', async () => {
      expectScimError(await send(alpha, 'DELETE', '/ServiceProviderConfig'), 405);
    });

    it('OpenAPI document lists the SCIM routes', async () => {
      const response = await server.http.send({ path: '/openapi.json' });
      const paths = Object.keys((response.body as Json).paths);
      for (const path of [
        '/scim/v2/Users',
        '/scim/v2/Users/{id}',
        '/scim/v2/Users/.search',
        '/scim/v2/ServiceProviderConfig',
        '/scim/v2/Schemas',
        '/scim/v2/ResourceTypes',
      ]) {
        expect(paths).toContain(path);
      }
      const patch = (response.body as Json).paths['/scim/v2/Users/{id}'].patch;
      expect(patch.tags).toEqual(['scim']);
    });
  });

  describe('authentication', () => {
    it('rejects a request without a token', async () => {
      const response = await send(undefined, 'GET', '/Users');
      expectScimError(response, 401);
      expect(response.headers['www-authenticate']).toContain('Bearer');
    });

    it('rejects an unknown token', async () => {
      const response = await server.http.send({
        path: '/scim/v2/Users',
        token: 'upscim_not-a-token',
      });
      expectScimError(response, 401);
    });

    it('rejects a revoked token', async () => {
      const { token, info } = await server.service.scimTokens.create(alpha.id, 'revoked', system);
      expect((await server.http.send({ path: '/scim/v2/Users', token })).status).toBe(200);
      await server.service.scimTokens.revoke(alpha.id, info.id, system);
      expectScimError(await server.http.send({ path: '/scim/v2/Users', token }), 401);
    });
  });

  describe('create', () => {
    it('creates a user shaped like an Okta request', async () => {
      const response = await send(alpha, 'POST', '/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `Ada.Lovelace@${alpha.domain}`,
        name: { givenName: 'Ada', familyName: 'Lovelace' },
        emails: [
          { primary: true, value: `Ada.Lovelace@${alpha.domain}`, type: 'work' },
          { value: `ada@${alpha.domain}`, type: 'home' },
        ],
        displayName: 'Ada Lovelace',
        locale: 'en-US',
        externalId: '00ujl29u0le5T6Aj10h7',
        groups: [],
        password: 'Analytical Engine 1843!',
        active: true,
        phoneNumbers: [{ value: '+44 20 7946 0000', type: 'mobile' }],
        [enterprise]: { department: 'Mathematics', employeeNumber: '1815' },
      });

      const body = response.body as Json;
      expect(response.status).toBe(201);
      expect(response.headers.location).toBe(`${server.url}/scim/v2/Users/${body.id}`);
      expect(response.headers.etag).toBe(body.meta.version);
      expect(body.meta.version).toMatch(/^W\/".+"$/);
      expect(body.userName).toBe(`Ada.Lovelace@${alpha.domain}`);
      expect(body.name).toEqual({
        formatted: 'Ada Lovelace',
        givenName: 'Ada',
        familyName: 'Lovelace',
      });
      expect(body.emails).toEqual([
        { value: `Ada.Lovelace@${alpha.domain}`, type: 'work', primary: true },
        { value: `ada@${alpha.domain}`, type: 'other' },
      ]);
      expect(body.phoneNumbers).toEqual([{ value: '+44 20 7946 0000', type: 'mobile' }]);
      expect(body[enterprise]).toEqual({ department: 'Mathematics', employeeNumber: '1815' });
      expect(body.active).toBe(true);
      expect(body).not.toHaveProperty('password');
      expect(body.meta.resourceType).toBe('User');
      const activity = await server.service.activity.list(alpha.id, {
        objectId: body.id as string,
      });
      expect(activity.items.map((entry) => entry.actor)).toEqual([expect.stringMatching(/^scim:/)]);
    });

    it('hashes the password like synchronized ones', async () => {
      const password = 'Zürich Ünïcode pässwörd';
      const user = await createUser(alpha, 'hashed', { password });
      const signIn = await server.service.passwords.verifySignIn(user.userName as string, password);
      expect(signIn.ok).toBe(true);
      const wrong = await server.service.passwords.verifySignIn(
        user.userName as string,
        'wrong password!',
      );
      expect(wrong.ok).toBe(false);
      expect(lines.some((line) => line.includes(password))).toBe(false);
    });

    it('rejects a userName taken in another case', async () => {
      await createUser(alpha, 'grace');
      const body = expectScimError(
        await send(alpha, 'POST', '/Users', { userName: `GRACE@${alpha.domain.toUpperCase()}` }),
        409,
        'uniqueness',
      );
      expect(body.detail).toContain('UP_SCIM_UNIQUENESS');
    });

    it('rejects an email another user has', async () => {
      await createUser(alpha, 'owner', {
        emails: [{ value: `shared@${alpha.domain}`, type: 'work' }],
      });
      expectScimError(
        await send(alpha, 'POST', '/Users', {
          userName: `second@${alpha.domain}`,
          emails: [{ value: `Shared@${alpha.domain}` }],
        }),
        409,
        'uniqueness',
      );
    });

    it('rejects an unregistered domain', async () => {
      const body = expectScimError(
        await send(alpha, 'POST', '/Users', { userName: 'someone@unregistered.example' }),
        400,
        'invalidValue',
      );
      expect(body.detail).toContain('not registered');
    });

    it('rejects a userName that is no address', async () => {
      expectScimError(
        await send(alpha, 'POST', '/Users', { userName: 'bjensen' }),
        400,
        'invalidValue',
      );
    });

    it('rejects a missing userName', async () => {
      const body = expectScimError(
        await send(alpha, 'POST', '/Users', { displayName: 'Nobody' }),
        400,
        'invalidValue',
      );
      expect(body.detail).toContain('userName');
    });

    it('rejects an unknown attribute', async () => {
      const body = expectScimError(
        await send(alpha, 'POST', '/Users', { userName: `x@${alpha.domain}`, shoeSize: 9 }),
        400,
        'invalidValue',
      );
      expect(body.detail).toContain('shoeSize');
    });

    it('rejects malformed JSON', async () => {
      const response = await server.http.send({
        method: 'POST',
        path: '/scim/v2/Users',
        token: alpha.token,
        rawBody: '{"userName":',
      });
      expectScimError(response, 400, 'invalidSyntax');
    });

    it('accepts application/json and rejects text/plain', async () => {
      const json = await server.http.send({
        method: 'POST',
        path: '/scim/v2/Users',
        token: alpha.token,
        body: { userName: `plainjson@${alpha.domain}` },
        contentType: 'application/json',
      });
      expect(json.status).toBe(201);
      const text = await server.http.send({
        method: 'POST',
        path: '/scim/v2/Users',
        token: alpha.token,
        rawBody: 'userName',
        contentType: 'text/plain',
      });
      expectScimError(text, 415);
    });
  });

  describe('get', () => {
    it('returns the user with its ETag', async () => {
      const created = await createUser(alpha, 'getme', { displayName: 'Get Me' });
      const response = await send(alpha, 'GET', `/Users/${created.id}`);
      expect(response.status).toBe(200);
      expect(response.headers.etag).toBe(created.meta.version);
      expect(response.body).toEqual(created);
    });

    it('answers 304 for a matching If-None-Match', async () => {
      const created = await createUser(alpha, 'cached');
      const response = await send(alpha, 'GET', `/Users/${created.id}`, undefined, {
        'if-none-match': created.meta.version as string,
      });
      expect(response.status).toBe(304);
    });

    it('projects attributes and excludedAttributes', async () => {
      const created = await createUser(alpha, 'projected', {
        displayName: 'Projected',
        title: 'Clerk',
      });
      const only = (
        await send(
          alpha,
          'GET',
          `/Users/${created.id}?attributes=userName,name.givenName,emails.value`,
        )
      ).body as Json;
      expect(Object.keys(only).sort()).toEqual(['emails', 'id', 'schemas', 'userName']);
      expect(only.emails).toEqual([{ value: created.userName }]);
      const without = (
        await send(alpha, 'GET', `/Users/${created.id}?excludedAttributes=title,meta,id`)
      ).body as Json;
      expect(without).not.toHaveProperty('title');
      expect(without).not.toHaveProperty('meta');
      expect(without.id).toBe(created.id);
      expect(without.displayName).toBe('Projected');
    });

    it('answers 404 for an unknown id', async () => {
      expectScimError(await send(alpha, 'GET', '/Users/00000000-0000-0000-0000-000000000000'), 404);
    });
  });

  describe('list', () => {
    let tenant: ScimTestTenant;
    const names = ['carol', 'alice', 'eve', 'bob', 'dave', 'frank', 'heidi'];
    const created: Json[] = [];

    beforeAll(async () => {
      tenant = await createScimTenant(server.service, 'Listing');
      for (const [index, name] of names.entries()) {
        server.clock.advance(60_000);
        created.push(
          await createUser(tenant, name, {
            displayName: `${name.toUpperCase()} Example`,
            title: index % 2 === 0 ? 'Engineer' : 'Manager',
            active: name !== 'eve',
          }),
        );
      }
    });

    const list = async (query: string): Promise<Json> => {
      const response = await send(tenant, 'GET', `/Users?${query}`);
      if (response.status !== 200)
        throw new Error(`list returned ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body as Json;
    };
    const userNames = (body: Json) =>
      (body.Resources as Json[]).map((user) => (user.userName as string).split('@')[0]);

    it('lists every user by UPN', async () => {
      const body = await list('');
      expect(body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      expect(body.totalResults).toBe(7);
      expect(body.itemsPerPage).toBe(7);
      expect(body.startIndex).toBe(1);
      expect(userNames(body)).toEqual([...names].sort());
    });

    it('pages with startIndex and count', async () => {
      const first = await list('startIndex=1&count=3');
      const second = await list('startIndex=4&count=3');
      const third = await list('startIndex=7&count=3');
      expect(first.totalResults).toBe(7);
      expect(userNames(first)).toEqual(['alice', 'bob', 'carol']);
      expect(userNames(second)).toEqual(['dave', 'eve', 'frank']);
      expect(userNames(third)).toEqual(['heidi']);
      expect(second.startIndex).toBe(4);
      expect(third.itemsPerPage).toBe(1);
    });

    it('answers count=0 with the total only', async () => {
      const body = await list('count=0');
      expect(body.totalResults).toBe(7);
      expect(body.Resources).toEqual([]);
    });

    it.each([
      ['userName eq ignoring case', `userName eq "CAROL@LISTING.EXAMPLE"`, ['carol']],
      ['userName sw', 'userName sw "d"', ['dave']],
      ['displayName co', 'displayName co "an"', ['frank']],
      [
        'and with or',
        '(title eq "Engineer" or title eq "Manager") and userName ew "e@listing.example"',
        ['alice', 'dave', 'eve'],
      ],
      ['not', 'not (title eq "Engineer")', ['alice', 'bob', 'frank']],
      ['active false', 'active eq false', ['eve']],
      ['emails value path', 'emails[type eq "work" and value sw "hei"]', ['heidi']],
      ['emails.value', 'emails.value eq "bob@listing.example"', ['bob']],
      ['lastModified gt', 'meta.lastModified gt "2026-03-01T08:05:30Z"', ['frank', 'heidi']],
      ['no match', 'userName eq "nobody@listing.example"', []],
    ])('filters by %s', async (_name, filter, expected) => {
      const body = await list(`filter=${encodeURIComponent(filter)}`);
      expect(userNames(body).sort()).toEqual([...expected].sort());
      expect(body.totalResults).toBe(expected.length);
    });

    it('sorts by displayName descending with paging', async () => {
      const body = await list('sortBy=displayName&sortOrder=descending&startIndex=2&count=2');
      expect(userNames(body)).toEqual(['frank', 'eve']);
      expect(body.totalResults).toBe(7);
    });

    it('sorts by meta.created ascending', async () => {
      const body = await list('sortBy=meta.created');
      expect(userNames(body)).toEqual(names);
    });

    it('rejects an invalid filter with its position', async () => {
      const response = await send(
        tenant,
        'GET',
        `/Users?filter=${encodeURIComponent('userName equals "x"')}`,
      );
      const body = expectScimError(response, 400, 'invalidFilter');
      expect(body.detail).toContain('at character 10');
    });

    it('rejects an unknown sortBy', async () => {
      expectScimError(await send(tenant, 'GET', '/Users?sortBy=shoeSize'), 400, 'invalidValue');
    });

    it('searches with POST /.search', async () => {
      const response = await send(tenant, 'POST', '/Users/.search', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
        filter: 'title eq "Manager"',
        attributes: ['userName'],
        sortBy: 'userName',
        startIndex: 1,
        count: 10,
      });
      const body = response.body as Json;
      expect(response.status).toBe(200);
      expect(userNames(body)).toEqual(['alice', 'bob', 'frank']);
      expect(Object.keys(body.Resources[0] as Json).sort()).toEqual(['id', 'schemas', 'userName']);
    });
  });

  describe('replace', () => {
    it('replaces a user and changes its ETag', async () => {
      const created = await createUser(alpha, 'replaced', {
        displayName: 'Before',
        title: 'Old title',
      });
      const response = await send(alpha, 'PUT', `/Users/${created.id}`, {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        id: created.id,
        userName: created.userName,
        displayName: 'After',
        phoneNumbers: [{ value: '+1 555 0101', type: 'work' }],
        addresses: [
          { type: 'work', streetAddress: '1 Main St', locality: 'Springfield', country: 'US' },
        ],
      });
      const body = response.body as Json;
      expect(response.status).toBe(200);
      expect(body.displayName).toBe('After');
      expect(body).not.toHaveProperty('title');
      expect(body.addresses).toEqual([
        { type: 'work', streetAddress: '1 Main St', locality: 'Springfield', country: 'US' },
      ]);
      expect(body.meta.version).not.toBe(created.meta.version);
      expect(response.headers.etag).toBe(body.meta.version);
    });

    it('honours If-Match', async () => {
      const created = await createUser(alpha, 'ifmatch');
      const replacement = { userName: created.userName, displayName: 'Changed' };
      const stale = await send(alpha, 'PUT', `/Users/${created.id}`, replacement, {
        'if-match': 'W/"stale"',
      });
      expectScimError(stale, 412);
      const fresh = await send(alpha, 'PUT', `/Users/${created.id}`, replacement, {
        'if-match': created.meta.version as string,
      });
      expect(fresh.status).toBe(200);
      const again = await send(
        alpha,
        'PUT',
        `/Users/${created.id}`,
        { ...replacement, displayName: 'Again' },
        { 'if-match': created.meta.version as string },
      );
      expectScimError(again, 412);
    });

    it('keeps active when a PUT leaves it out', async () => {
      const created = await createUser(alpha, 'keepsactive', { active: false });
      const response = await send(alpha, 'PUT', `/Users/${created.id}`, {
        userName: created.userName,
      });
      expect((response.body as Json).active).toBe(false);
    });

    it('rejects a phone type a mailbox cannot hold', async () => {
      const created = await createUser(alpha, 'pager');
      const response = await send(alpha, 'PUT', `/Users/${created.id}`, {
        userName: created.userName,
        phoneNumbers: [{ value: '1', type: 'pager' }],
      });
      expectScimError(response, 400, 'invalidValue');
    });
  });

  describe('patch', () => {
    it('applies an Entra ID request', async () => {
      const created = await createUser(alpha, 'entra', {
        name: { givenName: 'En', familyName: 'Tra' },
      });
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [
          { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+1 555 0111' },
          { op: 'Replace', path: 'name.familyName', value: 'Updated' },
          { op: 'Add', path: 'title', value: 'Analyst' },
          { op: 'Add', path: `${enterprise}:department`, value: 'Finance' },
        ],
      });
      const body = response.body as Json;
      expect(response.status).toBe(200);
      expect(body.name).toEqual({
        formatted: 'En Updated',
        givenName: 'En',
        familyName: 'Updated',
      });
      expect(body.phoneNumbers).toEqual([{ value: '+1 555 0111', type: 'work' }]);
      expect(body.title).toBe('Analyst');
      expect(body[enterprise]).toEqual({ department: 'Finance' });
    });

    it('disables sign-in with Entra "False"', async () => {
      const created = await createUser(alpha, 'disabled', { password: 'Disable me 123!' });
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
      });
      expect(response.status).toBe(200);
      expect((response.body as Json).active).toBe(false);
      const signIn = await server.service.passwords.verifySignIn(
        created.userName as string,
        'Disable me 123!',
      );
      expect(signIn).toEqual({ ok: false, reason: 'disabled' });
    });

    it('applies an Okta deactivation', async () => {
      const created = await createUser(alpha, 'okta');
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [{ op: 'replace', value: { active: false } }],
      });
      expect((response.body as Json).active).toBe(false);
    });

    it('adds and removes an email', async () => {
      const created = await createUser(alpha, 'mails');
      const added = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [
          { op: 'add', path: 'emails', value: [{ value: `alias@${alpha.domain}`, type: 'other' }] },
        ],
      });
      expect((added.body as Json).emails).toHaveLength(2);
      const removed = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [{ op: 'remove', path: `emails[value eq "alias@${alpha.domain}"]` }],
      });
      expect((removed.body as Json).emails).toEqual([
        { value: created.userName, type: 'work', primary: true },
      ]);
    });

    it('keeps the UPN primary when the work email changes', async () => {
      const created = await createUser(alpha, 'workmail');
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [
          { op: 'Replace', path: 'emails[type eq "work"].value', value: `work@${alpha.domain}` },
        ],
      });
      expect(response.status).toBe(200);
      expect((response.body as Json).emails).toEqual([
        { value: created.userName, type: 'work', primary: true },
        { value: `work@${alpha.domain}`, type: 'other' },
      ]);
    });

    it('stores nothing when one operation fails', async () => {
      const created = await createUser(alpha, 'atomic', { title: 'Before' });
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [
          { op: 'replace', path: 'title', value: 'After' },
          { op: 'replace', path: 'shoeSize', value: '9' },
        ],
      });
      expectScimError(response, 400, 'invalidPath');
      const current = (await send(alpha, 'GET', `/Users/${created.id}`)).body as Json;
      expect(current.title).toBe('Before');
      expect(current.meta.version).toBe(created.meta.version);
    });

    it('rejects a stale If-Match', async () => {
      const created = await createUser(alpha, 'patchmatch');
      const response = await send(
        alpha,
        'PATCH',
        `/Users/${created.id}`,
        { schemas: [patchOp], Operations: [{ op: 'replace', path: 'title', value: 'x' }] },
        { 'if-match': 'W/"old"' },
      );
      expectScimError(response, 412);
    });

    it('rejects an invalid path', async () => {
      const created = await createUser(alpha, 'badpath');
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [{ op: 'replace', path: 'emails[type eq', value: 'x' }],
      });
      expectScimError(response, 400, 'invalidPath');
    });

    it('rejects a remove that matches nothing', async () => {
      const created = await createUser(alpha, 'notarget');
      const response = await send(alpha, 'PATCH', `/Users/${created.id}`, {
        schemas: [patchOp],
        Operations: [{ op: 'remove', path: 'emails[type eq "home"]' }],
      });
      expectScimError(response, 400, 'noTarget');
    });
  });

  describe('delete', () => {
    it('deletes a user', async () => {
      const created = await createUser(alpha, 'deleted');
      const stale = await send(alpha, 'DELETE', `/Users/${created.id}`, undefined, {
        'if-match': 'W/"stale"',
      });
      expectScimError(stale, 412);
      const response = await send(alpha, 'DELETE', `/Users/${created.id}`);
      expect(response.status).toBe(204);
      expectScimError(await send(alpha, 'GET', `/Users/${created.id}`), 404);
      const listed = (
        await send(
          alpha,
          'GET',
          `/Users?filter=${encodeURIComponent(`userName eq "${created.userName}"`)}`,
        )
      ).body as Json;
      expect(listed.totalResults).toBe(0);
      expectScimError(await send(alpha, 'DELETE', `/Users/${created.id}`), 404);
    });
  });

  describe('linked mailboxes', () => {
    let linked: Json;
    let boss: Json;
    let anchor: string;

    beforeAll(async () => {
      const manager = directoryUser(`boss@${alpha.domain}`, { displayName: 'The Boss' });
      const record = directoryUser(`synced@${alpha.domain}`, {
        displayName: 'Synced User',
        givenName: 'Synced',
        sn: 'User',
        title: 'Operator',
        department: 'Operations',
        telephoneNumber: '+1 555 0123',
        managerAnchor: manager.anchor,
      });
      anchor = record.anchor;
      await alpha.synchronize([manager, record]);
      const result = await server.service.links.autocreate(
        alpha.id,
        [manager.anchor, record.anchor],
        system,
      );
      expect(result.created).toHaveLength(2);
      const find = async (upn: string) =>
        (
          (await send(alpha, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${upn}"`)}`))
            .body as Json
        ).Resources[0] as Json;
      linked = await find(`synced@${alpha.domain}`);
      boss = await find(`boss@${alpha.domain}`);
    });

    it('shows the anchor and the manager', () => {
      expect(linked.externalId).toBe(anchor);
      expect(linked.title).toBe('Operator');
      expect(linked.phoneNumbers).toEqual([{ value: '+1 555 0123', type: 'work' }]);
      expect(linked[enterprise].department).toBe('Operations');
      expect(linked[enterprise].manager.value).toBe(boss.id);
      expect(linked[enterprise].manager.$ref).toBe(`${server.url}/scim/v2/Users/${boss.id}`);
    });

    it('filters by manager', async () => {
      const filter = `${enterprise}:manager.value eq "${boss.id as string}"`;
      const body = (await send(alpha, 'GET', `/Users?filter=${encodeURIComponent(filter)}`))
        .body as Json;
      expect((body.Resources as Json[]).map((user) => user.id)).toEqual([linked.id]);
      expect(body.Resources[0][enterprise].manager.value).toBe(boss.id);
    });

    it('finds the user by externalId', async () => {
      const body = (
        await send(alpha, 'GET', `/Users?filter=${encodeURIComponent(`externalId eq "${anchor}"`)}`)
      ).body as Json;
      expect(body.totalResults).toBe(1);
      expect(body.Resources[0].id).toBe(linked.id);
    });

    it.each([
      ['displayName', { op: 'replace', path: 'displayName', value: 'Renamed' }, 'displayName'],
      ['active', { op: 'Replace', path: 'active', value: 'False' }, 'active'],
      ['password', { op: 'replace', value: { password: 'New password 123!' } }, 'password'],
      [
        'work email',
        { op: 'add', path: 'emails', value: [{ value: 'extra@alpha.example' }] },
        'emails',
      ],
      [
        'manager',
        { op: 'replace', path: `${enterprise}:manager`, value: 'someone-else' },
        'manager',
      ],
      ['externalId', { op: 'replace', path: 'externalId', value: 'other' }, 'externalId'],
    ])('rejects a PATCH of %s', async (_name, operation, attribute) => {
      const response = await send(alpha, 'PATCH', `/Users/${linked.id}`, {
        schemas: [patchOp],
        Operations: [operation],
      });
      const body = expectScimError(response, 400, 'mutability');
      expect(body.detail).toContain('managed in the local Active Directory');
      expect(body.detail).toContain(attribute);
    });

    it('accepts a PUT that changes nothing', async () => {
      const response = await send(alpha, 'PUT', `/Users/${linked.id}`, {
        ...linked,
        userName: (linked.userName as string).toUpperCase(),
      });
      expect(response.status).toBe(200);
      expect((response.body as Json).meta.version).toBe(linked.meta.version);
    });

    it('rejects a DELETE', async () => {
      const body = expectScimError(
        await send(alpha, 'DELETE', `/Users/${linked.id}`),
        400,
        'mutability',
      );
      expect(body.detail).toContain('local Active Directory');
      expect((await send(alpha, 'GET', `/Users/${linked.id}`)).status).toBe(200);
    });
  });

  describe('tenant isolation', () => {
    let alphaUser: Json;

    beforeAll(async () => {
      alphaUser = await createUser(alpha, 'isolated');
      await createUser(bravo, 'bravo-only');
    });

    it.each([
      ['GET', undefined],
      ['PUT', { userName: 'isolated@bravo.example' }],
      ['PATCH', { schemas: [patchOp], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }],
      ['DELETE', undefined],
    ] as const)('%s of another tenant answers 404', async (method, body) => {
      expectScimError(await send(bravo, method, `/Users/${alphaUser.id}`, body), 404);
    });

    it('lists only its own users', async () => {
      const all = (await send(bravo, 'GET', '/Users')).body as Json;
      expect((all.Resources as Json[]).map((user) => user.userName)).toEqual([
        `bravo-only@${bravo.domain}`,
      ]);
      const filtered = (
        await send(
          bravo,
          'GET',
          `/Users?filter=${encodeURIComponent(`userName eq "${alphaUser.userName}"`)}`,
        )
      ).body as Json;
      expect(filtered.totalResults).toBe(0);
    });

    it('cannot use another tenant domain', async () => {
      expectScimError(
        await send(bravo, 'POST', '/Users', { userName: `intruder@${alpha.domain}` }),
        400,
        'invalidValue',
      );
    });

    it('still answers the alpha user to alpha', async () => {
      expect((await send(alpha, 'GET', `/Users/${alphaUser.id}`)).status).toBe(200);
    });
  });
});
