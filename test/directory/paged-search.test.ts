import { afterEach, describe, expect, it } from 'vitest';
import { connectDirectory, type DirectoryConnection } from '../../src/directory/connection.ts';
import { searchAllPages } from '../../src/directory/paged-search.ts';
import { FakeLdapServer } from './fake-ldap-server.ts';
import { memoryLogger } from './lab-directory.ts';

let server: FakeLdapServer | undefined;
let connection: DirectoryConnection | undefined;

afterEach(async () => {
  await connection?.close();
  await server?.stop();
});

async function connectToFake(entries: number, resultCode: number): Promise<DirectoryConnection> {
  server = new FakeLdapServer({ entries, resultCode, diagnostic: 'limit reached' });
  await server.start();
  const result = await connectDirectory(
    {
      url: `ldap://127.0.0.1:${server.port}`,
      bindDn: 'CN=x',
      bindPassword: 'y',
      retry: { attempts: 1 },
    },
    { logger: memoryLogger().logger },
  );
  if (!result.ok) throw result.error;
  connection = result.connection;
  return connection;
}

async function readAll(target: DirectoryConnection, sizeLimit?: number): Promise<number> {
  let count = 0;
  const pages = searchAllPages(target, {
    base: 'OU=Fake,DC=fake,DC=test',
    filter: '(objectClass=user)',
    attributes: ['objectGUID', 'sAMAccountName'],
    binaryAttributes: ['objectGUID'],
    controls: [],
    description: 'the fake scope',
    ...(sizeLimit === undefined ? {} : { sizeLimit }),
  });
  for await (const entries of pages) count += entries.length;
  return count;
}

describe('paged search result codes', () => {
  it('reads every entry on success', async () => {
    expect(await readAll(await connectToFake(5, 0))).toBe(5);
  });

  it.each([
    ['server size limit', 4, undefined, /sizeLimitExceeded/],
    ['size limit the client asked for', 4, 3, /sizeLimitExceeded/],
    ['time limit', 3, undefined, /timeLimitExceeded/],
    ['admin limit', 11, undefined, /adminLimitExceeded/],
    ['insufficient access', 50, undefined, /insufficientAccessRights/],
  ])('fails as incomplete on %s', async (_name, resultCode, sizeLimit, reason) => {
    const target = await connectToFake(3, resultCode);
    const read = readAll(target, sizeLimit);
    await expect(read).rejects.toMatchObject({ code: 'UP_DIRECTORY_READ_INCOMPLETE' });
    await expect(read).rejects.toThrow(reason);
  });

  it('rejects a page size above 1,000', async () => {
    const target = await connectToFake(1, 0);
    const pages = searchAllPages(target, {
      base: '',
      filter: '(objectClass=*)',
      attributes: [],
      binaryAttributes: [],
      controls: [],
      description: 'x',
      pageSize: 1001,
    });
    await expect(pages.next()).rejects.toThrow(/page size/);
  });
});
