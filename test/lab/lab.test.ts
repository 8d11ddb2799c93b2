import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change, Client, InsufficientAccessError } from 'ldapts';
import { beforeAll, expect, it } from 'vitest';
import type { LabFacts } from '../../src/lab/facts.ts';
import { loadFixture } from '../../src/lab/fixture.ts';
import { ouDn, userDn } from '../../src/lab/seed-ldif.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import { labClient, showDeletedControl, withBoundClient } from './ldap-client.ts';

const run = promisify(execFile);
const fixture = loadFixture();
const userFilter = '(&(objectClass=user)(!(objectClass=computer)))';

describeLab('lab DC over LDAPS', () => {
  let facts: LabFacts;
  let bindPasswordFile: string;
  let tempDir: string;
  beforeAll(() => {
    facts = labFacts();
    tempDir = mkdtempSync(join(tmpdir(), 'userpilot-lab-test-'));
    bindPasswordFile = join(tempDir, 'bind-password');
    writeFileSync(bindPasswordFile, facts.bindPassword, { mode: 0o600 });
    return () => rmSync(tempDir, { recursive: true, force: true });
  });

  /** Runs OpenLDAP's ldapsearch with a critical DirSync control (`!dirsync`) on the domain. */
  function dirSyncSearch(upn: string, passwordFile: string) {
    const args = ['-H', facts.ldapsUrl, '-x', '-D', upn, '-y', passwordFile, '-b', facts.baseDn];
    return run(
      'ldapsearch',
      [...args, '-E', '!dirsync=0/0', '(objectClass=user)', 'sAMAccountName'],
      {
        env: { ...process.env, LDAPTLS_CACERT: facts.caFile },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  }

  it('binds as the sync account with CA verification', async () => {
    const result = await withBoundClient(facts, facts.bindUpn, facts.bindPassword, (client) =>
      client.search(facts.baseDn, { scope: 'base', attributes: ['distinguishedName'] }),
    );
    expect(result.searchEntries[0]?.dn).toBe(facts.baseDn);
  });

  it('rejects the certificate without the lab CA', async () => {
    const client = new Client({ url: facts.ldapsUrl, connectTimeout: 10_000 });
    await expect(client.bind(facts.bindUpn, facts.bindPassword)).rejects.toThrow(/certificate/i);
    await client.unbind().catch(() => undefined);
  });

  it('rejects a wrong password', async () => {
    const client = labClient(facts);
    await expect(client.bind(facts.bindUpn, `${facts.bindPassword}x`)).rejects.toThrow();
    await client.unbind().catch(() => undefined);
  });

  it('returns every fixture user of the scope in a paged search', async () => {
    const entries = await withBoundClient(
      facts,
      facts.bindUpn,
      facts.bindPassword,
      async (client) => {
        const result = await client.search(facts.scopeDn, {
          scope: 'sub',
          filter: userFilter,
          paged: { pageSize: 7 },
          attributes: ['sAMAccountName', 'userPrincipalName', 'displayName', 'mail'],
        });
        return result.searchEntries;
      },
    );
    const expected = fixture.users.filter((user) => user.expected !== 'out-of-scope');
    // Other tests of the shared lab may add users in OUs of their own, also under the scope;
    // only users directly in a fixture OU belong to the fixture.
    const fixtureOus = new Set(fixture.ous.map((path) => ouDn(path, facts.baseDn)));
    const inFixtureOus = entries.filter((entry) => fixtureOus.has(parentDn(entry.dn)));
    const names = inFixtureOus.map((entry) => String(entry.sAMAccountName)).sort();
    expect(names).toEqual(expected.map((user) => user.sAMAccountName).sort());
    for (const user of expected) {
      const entry = entries.find((candidate) => candidate.sAMAccountName === user.sAMAccountName);
      expect(entry?.dn, user.sAMAccountName).toBe(userDn(user, facts.baseDn));
      expect(entry?.userPrincipalName, user.sAMAccountName).toBe(user.userPrincipalName);
      expect(entry?.displayName, user.sAMAccountName).toBe(user.displayName);
    }
  });

  it('keeps out-of-scope fixture users outside the scope OU', async () => {
    const outside = fixture.users.filter((user) => user.expected === 'out-of-scope');
    expect(outside.length).toBeGreaterThan(0);
    for (const user of outside) {
      expect(userDn(user, facts.baseDn).endsWith(`,${facts.scopeDn}`)).toBe(false);
    }
    const entries = await withBoundClient(
      facts,
      facts.bindUpn,
      facts.bindPassword,
      async (client) => {
        const result = await client.search(ouDn(['Contractors'], facts.baseDn), {
          filter: userFilter,
        });
        return result.searchEntries.map((entry) => String(entry.sAMAccountName)).sort();
      },
    );
    expect(entries).toEqual(outside.map((user) => user.sAMAccountName).sort());
  });

  it.each([
    { name: 'enabled user', account: 'zoe.angstrom', userAccountControl: '512' },
    { name: 'user without password', account: 'wang.fang', userAccountControl: '512' },
    { name: 'disabled user', account: 'erik.stopped', userAccountControl: '514' },
    { name: 'user with password', account: 'paula.passwort', userAccountControl: '512' },
  ])('seeds the $name with userAccountControl $userAccountControl', async (row) => {
    const entry = await findUser(facts, row.account, ['userAccountControl']);
    expect(entry?.userAccountControl).toBe(row.userAccountControl);
  });

  it('seeds the expired account with accountExpires in the past', async () => {
    const entry = await findUser(facts, 'fiona.expired', ['accountExpires']);
    const ticks = BigInt(String(entry?.accountExpires));
    const expiresAt = Number(ticks / 10_000n - 11_644_473_600_000n);
    expect(expiresAt).toBe(Date.parse('2024-01-01T00:00:00Z'));
  });

  it('seeds profiles, manager links and proxy addresses', async () => {
    const user = fixture.users.find((candidate) => candidate.sAMAccountName === 'lukasz.zolw');
    const manager = fixture.users.find((candidate) => candidate.sAMAccountName === user?.manager);
    const entry = await findUser(facts, 'lukasz.zolw', ['*']);
    expect(entry?.dn).toBe(`CN=Łukasz Żółw,OU=Vertrieb Süd,OU=Sales,OU=Staff,${facts.baseDn}`);
    expect(entry?.manager).toBe(manager === undefined ? undefined : userDn(manager, facts.baseDn));
    expect(entry?.proxyAddresses).toEqual(user?.proxyAddresses);
    for (const name of [
      'title',
      'department',
      'telephoneNumber',
      'mobile',
      'streetAddress',
      'l',
      'co',
    ]) {
      expect(entry?.[name], name).toBe(user?.[name as keyof typeof user]);
    }
  });

  it('lets a seeded user with a password bind', async () => {
    const password = facts.userPasswords['paula.passwort'];
    expect(password).toBeDefined();
    const result = await withBoundClient(
      facts,
      `paula.passwort@${facts.mailDomain}`,
      password ?? '',
      (client) => client.search(facts.baseDn, { scope: 'base' }),
    );
    expect(result.searchEntries).toHaveLength(1);
  });

  it('denies the sync account any write', async () => {
    const target = userDn(fixture.users[0]!, facts.baseDn);
    await withBoundClient(facts, facts.bindUpn, facts.bindPassword, async (client) => {
      await expect(
        client.modify(
          target,
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'title', values: ['Changed'] }),
          }),
        ),
      ).rejects.toBeInstanceOf(InsufficientAccessError);
      await expect(
        client.add(`CN=Intruder,${facts.scopeDn}`, {
          objectClass: 'user',
          sAMAccountName: 'intruder',
        }),
      ).rejects.toBeInstanceOf(InsufficientAccessError);
    });
  });

  it('runs a DirSync search as the sync account', async () => {
    const { stdout } = await dirSyncSearch(facts.bindUpn, bindPasswordFile);
    expect(stdout).toContain('result: 0 Success');
    expect(stdout).toContain('sAMAccountName: zoe.angstrom');
  });

  it('rejects a DirSync search by a plain user', async () => {
    const file = join(tempDir, 'user-password');
    writeFileSync(file, facts.userPasswords['paula.passwort'] ?? '', { mode: 0o600 });
    const failure = await dirSyncSearch(`paula.passwort@${facts.mailDomain}`, file).catch(
      (error: unknown) => error as { code?: number; stdout?: string },
    );
    // ldapsearch exits with the LDAP result code: 50 is insufficientAccessRights.
    expect('code' in failure ? failure.code : 0).toBe(50);
  });

  it('shows tombstones to the sync account but not to a plain user', async () => {
    const name = `gone-${randomBytes(4).toString('hex')}`;
    const dn = `CN=${name},CN=Users,${facts.baseDn}`;
    await withBoundClient(facts, facts.adminUpn, facts.adminPassword, async (client) => {
      await client.add(dn, { objectClass: 'user', sAMAccountName: name });
      await client.del(dn);
    });
    const filter = `(&(isDeleted=TRUE)(sAMAccountName=${name}))`;
    const search = (client: Client) =>
      client.search(
        facts.baseDn,
        { filter, attributes: ['isDeleted', 'lastKnownParent'] },
        showDeletedControl,
      );

    const asSync = await withBoundClient(facts, facts.bindUpn, facts.bindPassword, search);
    expect(asSync.searchEntries).toHaveLength(1);
    expect(asSync.searchEntries[0]?.lastKnownParent).toBe(`CN=Users,${facts.baseDn}`);

    const password = facts.userPasswords['paula.passwort'] ?? '';
    const asUser = await withBoundClient(
      facts,
      `paula.passwort@${facts.mailDomain}`,
      password,
      search,
    );
    expect(asUser.searchEntries).toHaveLength(0);
  });
});

/** Returns the DN without its first RDN, skipping escaped commas such as in `CN=Doe\\, Alice`. */
function parentDn(dn: string): string {
  const match = /^(?:[^,\\]|\\.)*,(.*)$/.exec(dn);
  return match?.[1] ?? '';
}

async function findUser(
  facts: LabFacts,
  account: string,
  attributes: string[],
): Promise<Record<string, unknown> | undefined> {
  return withBoundClient(facts, facts.bindUpn, facts.bindPassword, async (client) => {
    const result = await client.search(facts.baseDn, {
      filter: `(sAMAccountName=${account})`,
      attributes,
    });
    return result.searchEntries[0];
  });
}
