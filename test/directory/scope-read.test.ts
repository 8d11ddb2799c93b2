import type { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryConnection } from '../../src/directory/connection.ts';
import { dnEquals, parseDn } from '../../src/directory/dn.ts';
import { readEntryByAnchor } from '../../src/directory/entry-by-anchor.ts';
import { ExtendedDnControl, parseExtendedDn } from '../../src/directory/extended-dn.ts';
import { guidFromBytes } from '../../src/directory/guid.ts';
import { startScopeRead, userFilter } from '../../src/directory/scope-read.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { seedUsers } from '../../src/lab/seed.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  adminClient,
  connectAsSyncAccount,
  createOu,
  createUser,
  CuttableRelay,
  deleteTree,
  memoryLogger,
  readAllRecords,
  uniqueName,
} from './lab-directory.ts';

/** Read-only and shared between runs: seeded once, reused while it contains the full count. */
const bigOuName = 'ReadScope2500';
const bigCount = 2500;

async function ensureBigOu(facts: LabFacts, admin: Client): Promise<string> {
  const dn = `OU=${bigOuName},${facts.baseDn}`;
  const existing = await admin
    .search(dn, { scope: 'sub', filter: userFilter, attributes: ['1.1'], paged: true })
    .catch(() => undefined);
  if (existing?.searchEntries.length === bigCount) return dn;
  if (existing !== undefined) await deleteTree(admin, dn);
  return (await seedUsers(facts, { count: bigCount, ou: bigOuName })).ouDn;
}

describeLab('full read of the lab DC', () => {
  let facts: LabFacts;
  let admin: Client;
  let connection: DirectoryConnection;
  let bigOuDn: string;
  let ownOuDn: string;

  beforeAll(async () => {
    facts = labFacts();
    admin = await adminClient(facts);
    bigOuDn = await ensureBigOu(facts, admin);
    ownOuDn = await createOu(admin, uniqueName('ScopeRead'), facts.baseDn);
    connection = await connectAsSyncAccount(facts);
  });

  afterAll(async () => {
    await connection.close();
    await deleteTree(admin, ownOuDn);
    await admin.unbind();
  });

  it('returns all 2,500 users of a scope', async () => {
    const read = await startScopeRead(connection, { scopeDn: bigOuDn });
    const { records, failures } = await readAllRecords(read);
    expect(failures).toBe(0);
    expect(records).toHaveLength(bigCount);
    expect(new Set(records.map((r) => r.record.anchor)).size).toBe(bigCount);
    expect(records.every((r) => dnEquals(r.record.parentDn, bigOuDn))).toBe(true);
    expect(read.watermark.dnsHostName.toLowerCase()).toContain(facts.dcHostName.toLowerCase());
  });

  it('returns the same users with small pages', async () => {
    const read = await startScopeRead(connection, {
      scopeDn: bigOuDn,
      pageSize: 333,
      parallelism: 1,
    });
    let pages = 0;
    let count = 0;
    for (;;) {
      const next = await read.pages.next();
      if (next.done === true) {
        expect(next.value.pages).toBe(pages);
        expect(next.value.entries).toBe(bigCount);
        break;
      }
      pages += 1;
      count += next.value.records.length;
      expect(next.value.records.length).toBeLessThanOrEqual(333);
    }
    expect(count).toBe(bigCount);
    expect(pages).toBe(Math.ceil(bigCount / 333));
  });

  it('reads the same users over one or three connections', async () => {
    const single = await readAllRecords(
      await startScopeRead(connection, { scopeDn: bigOuDn, parallelism: 1 }),
    );
    const parallel = await readAllRecords(
      await startScopeRead(connection, { scopeDn: bigOuDn, parallelism: 3 }),
    );
    const anchors = (records: typeof single.records): string[] =>
      records.map((r) => r.record.anchor).sort();
    expect(parallel.records).toHaveLength(bigCount);
    expect(anchors(parallel.records)).toEqual(anchors(single.records));
  });

  it('agrees with the DC on every GUID text', async () => {
    let checked = 0;
    const pages = connection.searchPages(
      facts.baseDn,
      {
        scope: 'sub',
        filter: userFilter,
        attributes: ['objectGUID'],
        explicitBufferAttributes: ['objectGUID'],
        paged: { pageSize: 1000 },
      },
      [new ExtendedDnControl(1)],
    );
    for await (const page of pages) {
      for (const entry of page.searchEntries) {
        const dcText = parseExtendedDn(entry.dn).guid;
        expect(dcText, entry.dn).toBeDefined();
        expect(guidFromBytes(entry.objectGUID as Buffer), entry.dn).toBe(dcText);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(bigCount);
  });

  // Samba 4.17 ignores a client's size limit (checked with ldapsearch -z), so the lab cannot
  // end a search with sizeLimitExceeded. paged-search.test.ts covers that code with a fake
  // server. Against the lab, a size limit must still never yield a short list.
  it('never returns a short list at a size limit', async () => {
    const read = await startScopeRead(connection, { scopeDn: bigOuDn, sizeLimit: 100 });
    const outcome = await readAllRecords(read).then(
      ({ records }) => records.length,
      (error: unknown) => error,
    );
    if (typeof outcome === 'number') expect(outcome).toBe(bigCount);
    else expect(outcome).toMatchObject({ code: 'UP_DIRECTORY_READ_INCOMPLETE' });
  });

  it('fails as incomplete when the connection is cut', async () => {
    const relay = new CuttableRelay();
    await relay.start(facts.ldapsPort);
    const relayed = await connectAsSyncAccount(facts, undefined, {
      url: `ldaps://127.0.0.1:${relay.port}`,
      tlsServerName: `${facts.dcHostName}.${facts.realm.toLowerCase()}`,
    });
    try {
      const read = await startScopeRead(relayed, { scopeDn: bigOuDn, pageSize: 100 });
      const first = await read.pages.next();
      expect(first.done).toBe(false);
      relay.cut();
      let seen = first.done === true ? 0 : first.value.records.length;
      const rest = (async () => {
        for await (const page of read.pages) seen += page.records.length;
      })();
      await expect(rest).rejects.toMatchObject({ code: 'UP_DIRECTORY_READ_INCOMPLETE' });
      expect(seen).toBeLessThan(bigCount);
    } finally {
      await relayed.close();
      await relay.stop();
    }
  });

  it('reads a non-ASCII OU and a comma CN exactly', async () => {
    const ouName = `Zürich Ünïcødé ${uniqueName('ou')}`;
    const scopeDn = await createOu(admin, ouName, ownOuDn);
    const cn = `Doe, Jane #1 ${uniqueName('cn')}`;
    const displayName = '  Jane 🎉 Doe  ';
    const longText = 'x'.repeat(1000);
    const userDn = await createUser(admin, scopeDn, {
      cn,
      sAMAccountName: uniqueName('jd').slice(0, 20),
      attributes: {
        displayName,
        description: longText,
        userPrincipalName: `jane.${process.pid}@${facts.mailDomain}`,
      },
    });

    const read = await startScopeRead(connection, { scopeDn });
    const { records } = await readAllRecords(read);
    expect(records).toHaveLength(1);
    const record = records[0]!.record;
    expect(dnEquals(record.dn, userDn)).toBe(true);
    expect(parseDn(record.dn)[0]?.attributes[0]?.value).toBe(cn);
    expect(parseDn(record.parentDn)[0]?.attributes[0]?.value).toBe(ouName);
    expect(dnEquals(record.parentDn, scopeDn)).toBe(true);
    expect(record.displayName).toBe(displayName);
    expect(record.description).toBe(longText);
    expect(record.enabled).toBe(true);

    const again = await readEntryByAnchor(connection, record.anchor, scopeDn);
    expect(again.kind).toBe('found');
    if (again.kind === 'found' && again.entry.ok) expect(again.entry.record).toEqual(record);
    if (again.kind === 'found') expect(again.inScope).toBe(true);
  });

  it('finds no entry for an unknown anchor', async () => {
    const lookup = await readEntryByAnchor(
      connection,
      '00000000-0000-4000-8000-000000000000',
      facts.scopeDn,
    );
    expect(lookup.kind).toBe('notFound');
  });

  it('logs and skips search references', async () => {
    const { logger, lines } = memoryLogger();
    const logged = await connectAsSyncAccount(facts, logger);
    try {
      const pages = logged.searchPages(facts.baseDn, {
        scope: 'one',
        filter: '(objectClass=*)',
        attributes: ['1.1'],
        paged: { pageSize: 1000 },
      });
      let references = 0;
      for await (const page of pages) references += page.searchReferences.length;
      expect(references).toBeGreaterThan(0);
      const { browseOrganizationalUnits } = await import('../../src/directory/scope.ts');
      const listing = await browseOrganizationalUnits(logged);
      expect(listing.ok).toBe(true);
      expect(lines().some((line) => String(line.msg).includes('search references'))).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
