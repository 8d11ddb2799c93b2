import type { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DirectoryConnection } from '../../src/directory/connection.ts';
import { readChanges, type DirectoryChange } from '../../src/directory/delta-read.ts';
import { dnEquals } from '../../src/directory/dn.ts';
import { readEntryByAnchor } from '../../src/directory/entry-by-anchor.ts';
import { startScopeRead } from '../../src/directory/scope-read.ts';
import { UsnPoller } from '../../src/directory/usn-poller.ts';
import type { Watermark } from '../../src/directory/watermark.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  adminClient,
  connectAsSyncAccount,
  createOu,
  createUser,
  deleteTree,
  memoryLogger,
  readAllRecords,
  replaceAttribute,
  uniqueName,
} from './lab-directory.ts';

type Role =
  'edited' | 'renamed' | 'upnRenamed' | 'mover' | 'leaver' | 'comer' | 'deleted' | 'disabled';

const roles: Role[] = [
  'edited',
  'renamed',
  'upnRenamed',
  'mover',
  'leaver',
  'comer',
  'deleted',
  'disabled',
];

async function collectChanges(
  connection: DirectoryConnection,
  scopeDn: string,
  since: Watermark,
): Promise<{ changes: DirectoryChange[]; watermark: Watermark }> {
  const delta = await readChanges(connection, scopeDn, since);
  if (delta.kind !== 'delta') throw new Error(`expected a delta, got ${delta.message}`);
  const changes: DirectoryChange[] = [];
  for await (const page of delta.changes) changes.push(...page);
  return { changes, watermark: delta.watermark };
}

function anchorOfChange(change: DirectoryChange): string | null {
  if (change.kind === 'changed') return change.record.anchor;
  if (change.kind === 'undecodable') return change.failure.anchor;
  return change.anchor;
}

describeLab('delta reads of the lab DC', () => {
  let facts: LabFacts;
  let admin: Client;
  let connection: DirectoryConnection;
  let scopeDn: string;
  let outsideDn: string;
  let ouA: string;
  let ouB: string;
  const tag = uniqueName('d')
    .replace(/[^a-z0-9]/gi, '')
    .slice(-8)
    .toLowerCase();
  const dns = new Map<Role, string>();

  beforeAll(async () => {
    facts = labFacts();
    admin = await adminClient(facts);
    scopeDn = await createOu(admin, uniqueName('DeltaScope'), facts.baseDn);
    outsideDn = await createOu(admin, uniqueName('DeltaOutside'), facts.baseDn);
    ouA = await createOu(admin, 'A', scopeDn);
    ouB = await createOu(admin, 'B', scopeDn);
    for (const role of roles) {
      const parent = role === 'comer' ? outsideDn : ouA;
      const upn =
        role === 'upnRenamed'
          ? `alice.smith@${tag}.${facts.mailDomain}`
          : `${role}.${tag}@${facts.mailDomain}`;
      const dn = await createUser(admin, parent, {
        cn: `${role} ${tag}`,
        sAMAccountName: `${role.slice(0, 8)}${tag}`.slice(0, 20),
        attributes: { userPrincipalName: upn, title: 'Before' },
      });
      dns.set(role, dn);
    }
    connection = await connectAsSyncAccount(facts);
  });

  afterAll(async () => {
    await connection.close();
    await deleteTree(admin, scopeDn);
    await deleteTree(admin, outsideDn);
    await admin.unbind();
  });

  it('reports each kind of change once with its anchor', async () => {
    const read = await startScopeRead(connection, { scopeDn });
    const { records } = await readAllRecords(read);
    expect(records).toHaveLength(roles.length - 1);
    const anchors = new Map<Role, string>();
    for (const role of roles.filter((r) => r !== 'comer')) {
      const found = records.find((r) => dnEquals(r.record.dn, dns.get(role)!));
      expect(found, role).toBeDefined();
      anchors.set(role, found!.record.anchor);
    }
    const outside = await connection.search(dns.get('comer')!, {
      scope: 'base',
      attributes: ['objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    });
    const { guidFromBytes } = await import('../../src/directory/guid.ts');
    anchors.set('comer', guidFromBytes(outside.searchEntries[0]!.objectGUID as Buffer));

    await replaceAttribute(admin, dns.get('edited')!, 'title', 'After');
    await admin.modifyDN(dns.get('renamed')!, `CN=renamed-new ${tag}`);
    await replaceAttribute(
      admin,
      dns.get('upnRenamed')!,
      'userPrincipalName',
      `alice.jones@${tag}.${facts.mailDomain}`,
    );
    await admin.modifyDN(dns.get('mover')!, `CN=mover ${tag},${ouB}`);
    await admin.modifyDN(dns.get('leaver')!, `CN=leaver ${tag},${outsideDn}`);
    await admin.modifyDN(dns.get('comer')!, `CN=comer ${tag},${ouA}`);
    await admin.del(dns.get('deleted')!);
    await replaceAttribute(admin, dns.get('disabled')!, 'userAccountControl', '514');

    const { changes, watermark } = await collectChanges(connection, scopeDn, read.watermark);
    expect(BigInt(watermark.usn)).toBeGreaterThan(BigInt(read.watermark.usn));
    const byRole = new Map<Role, DirectoryChange[]>();
    for (const role of roles) {
      byRole.set(
        role,
        changes.filter((change) => anchorOfChange(change) === anchors.get(role)),
      );
      expect(byRole.get(role), role).toHaveLength(1);
    }
    const only = (role: Role): DirectoryChange => byRole.get(role)![0]!;
    const record = (role: Role) => {
      const change = only(role);
      expect(change.kind, role).toBe('changed');
      if (change.kind !== 'changed') throw new Error(`${role} is ${change.kind}`);
      return change.record;
    };

    expect(record('edited').title).toBe('After');
    expect(record('renamed').dn).toBe(`CN=renamed-new ${tag},${ouA}`);
    expect(record('upnRenamed').userPrincipalName).toBe(`alice.jones@${tag}.${facts.mailDomain}`);
    expect(dnEquals(record('mover').parentDn, ouB)).toBe(true);
    expect(dnEquals(record('comer').parentDn, ouA)).toBe(true);
    expect(record('disabled').enabled).toBe(false);
    expect(record('edited').enabled).toBe(true);

    const leaver = only('leaver');
    expect(leaver.kind).toBe('outOfScope');
    if (leaver.kind === 'outOfScope')
      expect(dnEquals(leaver.dn, `CN=leaver ${tag},${outsideDn}`)).toBe(true);
    const deleted = only('deleted');
    expect(deleted.kind).toBe('deleted');
    if (deleted.kind === 'deleted') expect(dnEquals(deleted.lastKnownParent ?? '', ouA)).toBe(true);

    const renamed = await readEntryByAnchor(connection, anchors.get('renamed')!, scopeDn);
    expect(renamed.kind === 'found' && renamed.entry.ok && renamed.entry.record.dn).toBe(
      `CN=renamed-new ${tag},${ouA}`,
    );
    const gone = await readEntryByAnchor(connection, anchors.get('deleted')!, scopeDn);
    expect(gone.kind).toBe('notFound');

    const quiet = await collectChanges(connection, scopeDn, watermark);
    const ours = new Set(anchors.values());
    expect(quiet.changes.filter((change) => ours.has(anchorOfChange(change) ?? ''))).toEqual([]);
  });

  it.each([
    ['otherDc', (w: Watermark) => ({ ...w, dnsHostName: 'otherdc.userpilot.test' })],
    [
      'invocationIdChanged',
      (w: Watermark) => ({ ...w, invocationId: '00000000-0000-4000-8000-000000000001' }),
    ],
    ['usnBehindWatermark', (w: Watermark) => ({ ...w, usn: String(BigInt(w.usn) + 1000000n) })],
    ['scopeChanged', (w: Watermark) => ({ ...w, scopeDn: facts.scopeDn })],
  ])('asks for a full read: %s', async (reason, alter) => {
    const { logger, lines } = memoryLogger();
    const logged = await connectAsSyncAccount(facts, logger);
    try {
      const read = await startScopeRead(logged, { scopeDn });
      await readAllRecords(read);
      const delta = await readChanges(logged, scopeDn, alter(read.watermark));
      expect(delta.kind).toBe('fullReadRequired');
      if (delta.kind === 'fullReadRequired') expect(delta.reason).toBe(reason);
      expect(lines().some((line) => line.reason === reason && line.level === 'warn')).toBe(true);
    } finally {
      await logged.close();
    }
  });

  it('polls the USN and reports a change', async () => {
    const seen: string[] = [];
    const poller = new UsnPoller(connection, {
      intervalMs: 200,
      onChange: (usn) => seen.push(usn),
    });
    await poller.pollOnce();
    const before = poller.lastUsn;
    expect(before).toMatch(/^\d+$/);
    await poller.pollOnce();
    expect(seen).toEqual([]);

    poller.start();
    await replaceAttribute(admin, dns.get('edited')!, 'title', `Polled ${Date.now()}`);
    const deadline = Date.now() + 60000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    poller.stop();
    expect(seen.length).toBeGreaterThan(0);
    expect(BigInt(seen[0]!)).toBeGreaterThan(BigInt(before!));
  });
});
