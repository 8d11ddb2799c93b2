import { describe, expect, it } from 'vitest';
import { loadFixture, type FixtureUser } from '../../src/lab/fixture.ts';
import { labNames } from '../../src/lab/layout.ts';
import { fixtureChanges, ouDn, userDn } from '../../src/lab/seed-ldif.ts';

const fixture = loadFixture();
const byAccount = new Map(fixture.users.map((user) => [user.sAMAccountName, user]));

function user(account: string): FixtureUser {
  const found = byAccount.get(account);
  if (found === undefined) throw new Error(`fixture has no user ${account}`);
  return found;
}

/** Computes the outcome by the hosted side's eligibility rule, restated for this check. */
function expectedFor(candidate: FixtureUser): FixtureUser['expected'] {
  if (candidate.ou[0] !== fixture.scope[0]) return 'out-of-scope';
  const match = /^[^@\s]+@([^@\s]+\.[^@\s]+)$/.exec(candidate.userPrincipalName);
  if (match === null) return { notEligible: 'upn-not-email' };
  if (match[1]?.toLowerCase() !== fixture.mailDomain)
    return { notEligible: 'upn-domain-not-registered' };
  return 'eligible';
}

describe('lab fixture', () => {
  it('uses the lab domain names', () => {
    expect(fixture.mailDomain).toBe(labNames.mailDomain);
    expect(fixture.unregisteredDomain).toBe(labNames.unregisteredDomain);
    expect(fixture.mailDomain.endsWith('.test')).toBe(true);
    expect(fixture.unregisteredDomain.endsWith('.test')).toBe(true);
  });

  it('has about fifty users in the scope', () => {
    const inScope = fixture.users.filter((candidate) => candidate.ou[0] === 'Staff');
    expect(inScope.length).toBeGreaterThanOrEqual(45);
  });

  it.each(fixture.users.map((candidate) => [candidate.sAMAccountName, candidate] as const))(
    '%s records the outcome the eligibility rule gives',
    (_name, candidate) => {
      expect(candidate.expected).toEqual(expectedFor(candidate));
    },
  );

  it.each([
    { name: 'Zoë Ångström', account: 'zoe.angstrom', cn: 'Zoë Ångström' },
    { name: '王芳', account: 'wang.fang', cn: '王芳' },
    { name: 'Łukasz Żółw', account: 'lukasz.zolw', cn: 'Łukasz Żółw' },
    { name: 'a CN with a comma', account: 'alice.doe', cn: 'Doe, Alice' },
  ])('contains $name', ({ account, cn }) => {
    expect(user(account).cn).toBe(cn);
  });

  it.each([
    { name: 'upper-case UPN domain', account: 'bob.upper', expected: 'eligible' },
    {
      name: 'UPN that is no address',
      account: 'carol.nomail',
      expected: { notEligible: 'upn-not-email' },
    },
    {
      name: 'UPN in the unregistered domain',
      account: 'dave.partner',
      expected: { notEligible: 'upn-domain-not-registered' },
    },
    { name: 'disabled account', account: 'erik.stopped', expected: 'eligible' },
    { name: 'expired account', account: 'fiona.expired', expected: 'eligible' },
    { name: 'user outside the scope', account: 'gabriel.contractor', expected: 'out-of-scope' },
  ])('contains a $name', ({ account, expected }) => {
    expect(user(account).expected).toEqual(expected);
  });

  it('marks the disabled and the expired account', () => {
    expect(user('erik.stopped').disabled).toBe(true);
    expect(Date.parse(user('fiona.expired').accountExpires ?? '')).toBeLessThan(
      Date.parse('2025-01-01'),
    );
  });

  it('has unique account names and addresses', () => {
    const accounts = fixture.users.map((candidate) => candidate.sAMAccountName.toLowerCase());
    expect(new Set(accounts).size).toBe(accounts.length);
    const addresses = fixture.users.flatMap((candidate) =>
      (candidate.proxyAddresses ?? []).map((address) => address.split(':')[1]?.toLowerCase()),
    );
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it('has one primary SMTP address per user, equal to mail', () => {
    for (const candidate of fixture.users) {
      const primary = (candidate.proxyAddresses ?? []).filter((address) =>
        address.startsWith('SMTP:'),
      );
      expect(primary, candidate.sAMAccountName).toEqual([`SMTP:${candidate.mail}`]);
    }
  });

  it('names only existing managers and OUs', () => {
    const ous = new Set(fixture.ous.map((path) => path.join('/')));
    for (const candidate of fixture.users) {
      expect(ous.has(candidate.ou.join('/')), candidate.sAMAccountName).toBe(true);
      if (candidate.manager !== undefined) expect(byAccount.has(candidate.manager)).toBe(true);
    }
  });

  it('builds DNs with escaped names', () => {
    expect(userDn(user('alice.doe'), labNames.baseDn)).toBe(
      `CN=Doe\\, Alice,OU=Engineering,OU=Staff,${labNames.baseDn}`,
    );
    expect(ouDn(['Staff', 'Sales', 'Vertrieb Süd'], labNames.baseDn)).toBe(
      `OU=Vertrieb Süd,OU=Sales,OU=Staff,${labNames.baseDn}`,
    );
  });

  it('orders OUs before users and manager links last', () => {
    const changes = fixtureChanges(fixture, labNames.baseDn, {});
    const kinds = changes.map((change) =>
      change.kind === 'replace' ? 'manager' : change.dn.startsWith('OU=') ? 'ou' : 'user',
    );
    const lastOu = kinds.lastIndexOf('ou');
    expect(kinds.indexOf('user')).toBeGreaterThan(lastOu);
    expect(kinds.indexOf('manager')).toBeGreaterThan(kinds.lastIndexOf('user'));
  });
});
