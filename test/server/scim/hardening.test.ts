import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, storeEngines, type TestDatabase } from '../support/test-server.ts';
import {
  createScimTenant,
  startScimServer,
  type ScimResponse,
  type ScimTestServer,
  type ScimTestTenant,
} from './support/scim-server.ts';

const searchSchema = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const patchOp = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const term = 'userName eq "a"';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

/** Returns the SCIM error body after asserting its status and scimType. */
function expectRejected(response: ScimResponse, scimType: string): Json {
  const body = response.body as Json;
  expect(response.status).toBe(400);
  expect(body.status).toBe('400');
  expect(body.scimType).toBe(scimType);
  return body;
}

const pathologicalFilters: { name: string; filter: string; detail: string }[] = [
  {
    name: '10,000 nested parentheses',
    filter: '('.repeat(10_000) + term + ')'.repeat(10_000),
    detail: '20015 characters long, more than the limit of 4096',
  },
  {
    name: '100,000 "not ("',
    filter: 'not ('.repeat(100_000) + term + ')'.repeat(100_000),
    detail: '600015 characters long, more than the limit of 4096',
  },
  {
    name: 'a 1 MB filter',
    filter: `userName eq "${'a'.repeat(1_000_000)}"`,
    detail: '1000014 characters long, more than the limit of 4096',
  },
  {
    name: '20,000 terms joined by or',
    filter: Array.from({ length: 20_000 }, () => term).join(' or '),
    detail: '379996 characters long, more than the limit of 4096',
  },
  {
    name: '600 "not (" within the length limit',
    filter: 'not ('.repeat(600) + term,
    detail: '600 levels deep, more than the limit of 32',
  },
  {
    name: 'an attribute path of 100,000 characters',
    filter: `${'a'.repeat(100_000)} pr`,
    detail: '100003 characters long, more than the limit of 4096',
  },
];

describe('SCIM request limits', () => {
  const { logger, lines } = captureLogger();
  let database: TestDatabase;
  let server: ScimTestServer;
  let tenant: ScimTestTenant;
  let userId: string;

  const send = (method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
    server.http.send({ method, path: `/scim/v2${path}`, token: tenant.token, body });

  beforeAll(async () => {
    database = await storeEngines[0]!.create();
    server = await startScimServer(database.url, logger);
    tenant = await createScimTenant(server.service, 'Limits');
    const created = await send('POST', '/Users', { userName: `kim@${tenant.domain}` });
    if (created.status !== 201) throw new Error(`create returned ${created.status}`);
    userId = (created.body as Json).id as string;
  });

  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it.each(pathologicalFilters)('.search rejects $name', async ({ filter, detail }) => {
    const response = await send('POST', '/Users/.search', { schemas: [searchSchema], filter });
    const body = expectRejected(response, 'invalidFilter');
    expect(body.detail).toContain(detail);
  });

  it('GET rejects 33 nested parentheses', async () => {
    const filter = '('.repeat(33) + term + ')'.repeat(33);
    const response = await send('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    const body = expectRejected(response, 'invalidFilter');
    expect(body.detail).toContain('33 levels deep, more than the limit of 32');
  });

  it('GET accepts 32 nested parentheses', async () => {
    const filter = '('.repeat(32) + `userName eq "kim@${tenant.domain}"` + ')'.repeat(32);
    const response = await send('GET', `/Users?filter=${encodeURIComponent(filter)}`);
    expect(response.status).toBe(200);
    expect((response.body as Json).totalResults).toBe(1);
  });

  it.each([
    {
      name: '5,000 nested parentheses',
      path: `emails[${'('.repeat(5000)}value pr${')'.repeat(5000)}]`,
      detail: '10016 characters long, more than the limit of 1024',
    },
    {
      name: '40 nested parentheses',
      path: `emails[${'('.repeat(40)}value pr${')'.repeat(40)}]`,
      detail: '41 levels deep, more than the limit of 32',
    },
  ])('PATCH rejects a path with $name', async ({ path, detail }) => {
    const response = await send('PATCH', `/Users/${userId}`, {
      schemas: [patchOp],
      Operations: [{ op: 'remove', path }],
    });
    const body = expectRejected(response, 'invalidPath');
    expect(body.detail).toContain(detail);
  });

  it('PATCH rejects 1,001 operations', async () => {
    const operations = Array.from({ length: 1001 }, (_, index) => ({
      op: 'replace',
      path: 'displayName',
      value: `Kim ${index}`,
    }));
    const response = await send('PATCH', `/Users/${userId}`, {
      schemas: [patchOp],
      Operations: operations,
    });
    const body = expectRejected(response, 'tooMany');
    expect(body.detail).toContain('1001 operations, more than the limit of 1000');
    expect(body.detail).toContain('UP_SCIM_TOO_MANY');
  });

  it.each([
    { name: 'NUL', userName: 'nul\u0000@limits.example', character: 'U+0000 at character 4' },
    { name: 'escape', userName: 'esc\u001b@limits.example', character: 'U+001B at character 4' },
    { name: 'DEL', userName: 'del@limits.example\u007f', character: 'U+007F at character 19' },
  ])('create rejects a $name in userName', async ({ userName, character }) => {
    const response = await send('POST', '/Users', { userName });
    const body = expectRejected(response, 'invalidValue');
    expect(body.detail).toContain('"userName"');
    expect(body.detail).toContain(character);
    expect(body.detail).toContain('UP_SCIM_INVALID_VALUE');
  });

  it('create rejects a malformed address as invalidValue', async () => {
    const response = await send('POST', '/Users', { userName: 'no-at-sign' });
    const body = expectRejected(response, 'invalidValue');
    expect(body.detail).toContain('UP_SCIM_INVALID_VALUE');
  });

  it('request log line names the tenant', async () => {
    const before = lines.length;
    const response = await send('GET', `/Users/${userId}`);
    expect(response.status).toBe(200);
    const entries = lines.slice(before).map((line) => JSON.parse(line) as Json);
    const entry = entries.find((item) => item.msg === 'request completed');
    expect(entry?.route).toBe('/scim/v2/Users/:id');
    expect(entry?.tenant_id).toBe(tenant.id);
  });

  it('rejected request log line names the tenant', async () => {
    const before = lines.length;
    await send('GET', `/Users?filter=${encodeURIComponent('(((')}`);
    const entries = lines.slice(before).map((line) => JSON.parse(line) as Json);
    const entry = entries.find((item) => item.msg === 'request rejected');
    expect(entry?.code).toBe('UP_SCIM_INVALID_FILTER');
    expect(entry?.tenant_id).toBe(tenant.id);
  });
});
