import type { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryConnection } from '../../src/directory/connection.ts';
import { browseOrganizationalUnits, checkScope } from '../../src/directory/scope.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  adminClient,
  connectAsSyncAccount,
  createOu,
  deleteTree,
  uniqueName,
} from './lab-directory.ts';

describeLab('scope check and OU browsing', () => {
  let facts: LabFacts;
  let admin: Client;
  let connection: DirectoryConnection;
  let parentDn: string;

  beforeAll(async () => {
    facts = labFacts();
    admin = await adminClient(facts);
    parentDn = await createOu(admin, uniqueName('Browse'), facts.baseDn);
    for (const name of ['Zeta', 'Älpha, Inc.', 'Beta']) await createOu(admin, name, parentDn);
    await createOu(admin, 'Nested', `OU=Beta,${parentDn}`);
    connection = await connectAsSyncAccount(facts);
  });

  afterAll(async () => {
    await connection.close();
    await deleteTree(admin, parentDn);
    await admin.unbind();
  });

  it('accepts the lab scope', async () => {
    const check = await checkScope(connection, facts.scopeDn);
    expect(check).toEqual({ ok: true, scopeDn: facts.scopeDn, namingContext: facts.baseDn });
  });

  it.each([
    [
      'missing OU',
      (f: LabFacts) => `OU=Missing-${process.pid},${f.baseDn}`,
      'UP_DIRECTORY_SCOPE_NOT_FOUND',
    ],
    ['container', (f: LabFacts) => `CN=Users,${f.baseDn}`, 'UP_DIRECTORY_SCOPE_NOT_OU'],
    ['other domain', () => 'OU=Staff,DC=elsewhere,DC=test', 'UP_DIRECTORY_SCOPE_OUTSIDE_DOMAIN'],
    [
      'configuration NC',
      (f: LabFacts) => `CN=Configuration,${f.baseDn}`,
      'UP_DIRECTORY_SCOPE_NOT_OU',
    ],
    ['invalid DN', () => 'OU=Staff,DC', 'UP_DIRECTORY_DN_INVALID'],
  ])('rejects a %s', async (_name, dnOf, code) => {
    const check = await checkScope(connection, dnOf(facts));
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.error.code).toBe(code);
      expect(check.error.hint).toBeDefined();
    }
  });

  it('lists the OUs at the domain root', async () => {
    const listing = await browseOrganizationalUnits(connection);
    expect(listing.ok).toBe(true);
    if (!listing.ok) return;
    expect(listing.parentDn).toBe(facts.baseDn);
    expect(listing.units.map((unit) => unit.dn)).toContain(facts.scopeDn);
  });

  it('lists one level, sorted by name', async () => {
    const listing = await browseOrganizationalUnits(connection, parentDn);
    expect(listing.ok).toBe(true);
    if (!listing.ok) return;
    expect(listing.units.map((unit) => unit.name)).toEqual(['Älpha, Inc.', 'Beta', 'Zeta']);
    expect(listing.units[0]?.dn).toBe(`OU=Älpha\\, Inc.,${parentDn}`);
  });

  it('reports a missing parent', async () => {
    const listing = await browseOrganizationalUnits(
      connection,
      `OU=Nope-${process.pid},${facts.baseDn}`,
    );
    expect(listing.ok).toBe(false);
    if (!listing.ok) expect(listing.error.code).toBe('UP_DIRECTORY_SCOPE_NOT_FOUND');
  });
});
