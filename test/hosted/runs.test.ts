import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { adminActor, engines, openHarness, userRecord, type Harness } from './harness.ts';

describe.each(engines)('run protocol on %s', (engine) => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  /** Creates an object through a full run and links it to a new mailbox by Autocreate. */
  async function linkedUser(fields: Parameters<typeof userRecord>[0] = {}) {
    const record = userRecord(fields);
    await h.run('delta', { records: [record] });
    const created = await h.service.links.autocreate(h.tenantId, [record.anchor], adminActor);
    const mailboxId = created.created[0]?.mailboxId;
    if (mailboxId === undefined) throw new Error(`autocreate failed: ${JSON.stringify(created)}`);
    return { record, mailboxId };
  }

  it('move inside the scope keeps the mailbox', async () => {
    const { record, mailboxId } = await linkedUser();
    const moved = {
      ...record,
      dn: `CN=${record.sAMAccountName},OU=Sales,OU=Staff,DC=corp,DC=example`,
      parentDn: 'OU=Sales,OU=Staff,DC=corp,DC=example',
      userPrincipalName: 'renamed@example.com',
    };
    const { batch } = await h.run('delta', { records: [moved] });

    expect(batch.results).toEqual([
      expect.objectContaining({ anchor: record.anchor, status: 'updated', mailboxId }),
    ]);
    const mailbox = await h.service.mailboxes.get(h.tenantId, mailboxId);
    expect(mailbox?.linkedAnchor).toBe(record.anchor);
    expect(mailbox?.upn).toBe('renamed@example.com');
    expect(mailbox?.primaryAddress).toBe('renamed@example.com');
    expect((await h.service.mailboxes.list(h.tenantId)).total).toBe(1);

    const history = await h.service.activity.list(h.tenantId, { objectId: record.anchor });
    const update = history.items.find((entry) => entry.action === 'object.updated');
    expect(update?.before).toMatchObject({
      dn: record.dn,
      userPrincipalName: record.userPrincipalName,
    });
    expect(update?.after).toMatchObject({ dn: moved.dn, userPrincipalName: 'renamed@example.com' });
    expect(Object.keys(update?.after ?? {}).sort()).toEqual([
      'dn',
      'parentDn',
      'userPrincipalName',
    ]);
  });

  it('leave and return relinks the same mailbox', async () => {
    const { record, mailboxId } = await linkedUser();
    const removal = await h.run('delta', { removals: [record.anchor] });
    expect(removal.batch.results).toEqual([{ anchor: record.anchor, status: 'removed' }]);

    const away = await h.service.mailboxes.get(h.tenantId, mailboxId);
    expect(away?.linkedAnchor).toBeNull();
    expect(away?.enabled).toBe(false);
    expect(away?.deletedAt).toBeNull();
    expect((await h.service.directory.get(h.tenantId, record.anchor))?.state).toBe('removed');

    const back = await h.run('delta', { records: [record] });
    expect(back.batch.results).toEqual([
      expect.objectContaining({ anchor: record.anchor, status: 'updated', mailboxId }),
    ]);
    const relinked = await h.service.mailboxes.get(h.tenantId, mailboxId);
    expect(relinked?.linkedAnchor).toBe(record.anchor);
    expect(relinked?.enabled).toBe(true);
  });

  it('return while not eligible relinks once eligible', async () => {
    const { record, mailboxId } = await linkedUser();
    await h.run('delta', { removals: [record.anchor] });
    const ineligible = { ...record, userPrincipalName: 'back@unregistered.example' };
    await h.run('delta', { records: [ineligible] });
    expect((await h.service.mailboxes.get(h.tenantId, mailboxId))?.linkedAnchor).toBeNull();

    await h.run('delta', { records: [record] });
    expect((await h.service.mailboxes.get(h.tenantId, mailboxId))?.linkedAnchor).toBe(
      record.anchor,
    );
  });

  it('leave with soft-delete policy deletes and return restores', async () => {
    await h.service.policies.update(h.tenantId, { leaveScope: 'soft-delete' }, adminActor);
    const { record, mailboxId } = await linkedUser();
    await h.run('delta', { removals: [record.anchor] });
    const deleted = await h.service.mailboxes.get(h.tenantId, mailboxId);
    expect(deleted?.deletedAt).not.toBeNull();
    expect((await h.service.mailboxes.list(h.tenantId)).total).toBe(0);

    await h.run('delta', { records: [record] });
    const restored = await h.service.mailboxes.get(h.tenantId, mailboxId);
    expect(restored?.deletedAt).toBeNull();
    expect(restored?.linkedAnchor).toBe(record.anchor);
  });

  it('disable then enable follows AD', async () => {
    const { record, mailboxId } = await linkedUser();
    await h.run('delta', { records: [{ ...record, enabled: false }] });
    expect((await h.service.mailboxes.get(h.tenantId, mailboxId))?.enabled).toBe(false);
    await h.run('delta', { records: [{ ...record, enabled: true }] });
    expect((await h.service.mailboxes.get(h.tenantId, mailboxId))?.enabled).toBe(true);
  });

  it('resent batch changes nothing', async () => {
    const records = [userRecord(), userRecord(), userRecord()];
    const ref = { tenantId: h.tenantId, agentId: h.agentId, epoch: h.epoch };
    const run = await h.service.runs.start(h.tenantId, h.agentId, h.epoch, 'delta');
    const first = await h.service.runs.applyBatch({ ...ref, runId: run.id }, { records });
    const activityAfterFirst = (await h.service.activity.list(h.tenantId, { limit: 500 })).total;
    const second = await h.service.runs.applyBatch({ ...ref, runId: run.id }, { records });

    expect(first.results.map((r) => r.status)).toEqual(['created', 'created', 'created']);
    expect(second.results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect((await h.service.activity.list(h.tenantId, { limit: 500 })).total).toBe(
      activityAfterFirst,
    );
    expect(await h.service.directory.count(h.tenantId)).toBe(3);
  });

  it('resent removal changes nothing', async () => {
    const record = userRecord();
    await h.run('delta', { records: [record] });
    await h.run('delta', { removals: [record.anchor] });
    const again = await h.run('delta', { removals: [record.anchor] });
    expect(again.batch.results).toEqual([{ anchor: record.anchor, status: 'unchanged' }]);
  });

  it('full run ending incomplete removes nothing', async () => {
    const records = [userRecord(), userRecord(), userRecord()];
    await h.fullRun(records);
    const partial = await h.fullRun(records.slice(0, 1), false);
    expect(partial.end.removed).toBe(0);
    expect(partial.end.run.state).toBe('incomplete');
    expect(await h.service.directory.count(h.tenantId)).toBe(3);

    const empty = await h.fullRun([], false);
    expect(empty.end.removed).toBe(0);
    expect(await h.service.directory.count(h.tenantId)).toBe(3);
  });

  it('complete full run removes objects missing from its manifest', async () => {
    const records = Array.from({ length: 20 }, () => userRecord());
    await h.fullRun(records);
    const complete = await h.fullRun(records.slice(0, 19));
    expect(complete.end.removed).toBe(1);
    expect(complete.end.held).toBe(0);
    expect(await h.service.directory.count(h.tenantId)).toBe(19);
  });

  it('rejected record of a full run keeps its object', async () => {
    const records = Array.from({ length: 5 }, () => userRecord());
    await h.fullRun(records);
    const broken = { ...records[0]!, mail: 'broken address' };
    const others = records.slice(1).map((r) => r.anchor);
    const { batch, end } = await h.run('full', { records: [broken], manifest: others });
    expect(batch.results[0]).toMatchObject({ status: 'rejected', attribute: 'mail' });
    expect(end.removed).toBe(0);
    expect(end.held).toBe(0);
    expect((await h.service.directory.get(h.tenantId, broken.anchor))?.state).toBe('present');
  });

  it('manifest anchors without records keep their objects', async () => {
    const records = Array.from({ length: 5 }, () => userRecord());
    await h.fullRun(records);
    const { end } = await h.run('full', { records: [], manifest: records.map((r) => r.anchor) });
    expect(end.removed).toBe(0);
    expect(await h.service.directory.count(h.tenantId)).toBe(5);
  });

  it.each([
    {
      name: 'duplicate address',
      bad: () => userRecord({ secondarySmtpAddresses: ['taken@example.com'] }),
      code: 'UP_HOSTED_ADDRESS_TAKEN',
      attribute: 'secondarySmtpAddresses',
      linked: true,
    },
    {
      name: 'over-long display name',
      bad: () => userRecord({ displayName: 'x'.repeat(257) }),
      code: 'UP_HOSTED_VALUE_TOO_LONG',
      attribute: 'displayName',
      linked: false,
    },
    {
      name: 'malformed mail',
      bad: () => userRecord({ mail: 'not an address' }),
      code: 'UP_HOSTED_ADDRESS_INVALID',
      attribute: 'mail',
      linked: false,
    },
    {
      name: 'anchor not a GUID',
      bad: () => userRecord({ anchor: 'CN=someone' }),
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute: 'anchor',
      linked: false,
    },
  ])('one bad object rejected alone: $name', async ({ bad, code, attribute, linked }) => {
    await h.service.mailboxes.create(h.tenantId, { upn: 'taken@example.com' }, adminActor);
    const badRecord = bad();
    if (linked) {
      const { record } = await linkedUser();
      Object.assign(badRecord, { ...record, secondarySmtpAddresses: ['taken@example.com'] });
    }
    const good = [userRecord(), userRecord()];
    const { batch } = await h.run('delta', { records: [good[0]!, badRecord, good[1]!] });

    const rejected = batch.results.filter((r) => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.anchor).toBe(badRecord.anchor);
    expect(rejected[0]?.code).toBe(code);
    expect(rejected[0]?.attribute).toBe(attribute);
    expect(rejected[0]?.message).toContain(String(badRecord.anchor));
    expect(rejected[0]?.message).toContain(attribute);
    for (const record of good) {
      expect(batch.results.find((r) => r.anchor === record.anchor)?.status).toBe('created');
      expect(await h.service.directory.get(h.tenantId, record.anchor)).not.toBeNull();
    }
  });

  it('two linked objects may swap addresses in one batch', async () => {
    const a = await linkedUser({ secondarySmtpAddresses: ['alias-a@example.com'] });
    const b = await linkedUser({ secondarySmtpAddresses: ['alias-b@example.com'] });
    const { batch } = await h.run('delta', {
      records: [
        { ...a.record, secondarySmtpAddresses: ['alias-b@example.com'] },
        { ...b.record, secondarySmtpAddresses: ['alias-a@example.com'] },
      ],
    });
    expect(batch.results.map((r) => r.status)).toEqual(['updated', 'updated']);
    expect((await h.service.mailboxes.get(h.tenantId, a.mailboxId))?.otherAddresses).toEqual([
      'alias-b@example.com',
    ]);
  });

  it.each([
    { name: '6,000 objects with 501 removals', total: 6000, removed: 501 },
    { name: '100 objects with 11 removals', total: 100, removed: 11 },
  ])('guard holds a full run: $name', async ({ total, removed }) => {
    const records = Array.from({ length: total }, () => userRecord());
    for (let start = 0; start < total; start += 1000) {
      const part = records.slice(start, start + 1000);
      await h.run('delta', { records: part });
    }
    const kept = records.slice(removed).map((r) => r.anchor);
    const ref = { tenantId: h.tenantId, agentId: h.agentId, epoch: h.epoch };
    const run = await h.service.runs.start(h.tenantId, h.agentId, h.epoch, 'full');
    for (let start = 0; start < kept.length; start += 1000) {
      await h.service.runs.applyBatch(
        { ...ref, runId: run.id },
        { manifest: kept.slice(start, start + 1000) },
      );
    }
    const end = await h.service.runs.end({ ...ref, runId: run.id }, true);

    expect(end.removed).toBe(0);
    expect(end.held).toBe(removed);
    expect(await h.service.directory.count(h.tenantId)).toBe(total);
    const pending = await h.service.removals.listPending(h.tenantId);
    expect(pending).toHaveLength(removed);

    const approved = await h.service.removals.approve(h.tenantId, 'all', adminActor);
    expect(approved.removed).toBe(removed);
    expect(await h.service.directory.count(h.tenantId)).toBe(total - removed);
  });

  it('guard just below the threshold removes at once', async () => {
    const records = Array.from({ length: 100 }, () => userRecord());
    await h.run('delta', { records });
    const { end } = await h.fullRun(records.slice(10));
    expect(end.removed).toBe(10);
    expect(end.held).toBe(0);
  });

  it('guard holds delta removals within one hour and lets other changes go on', async () => {
    const records = Array.from({ length: 100 }, () => userRecord());
    await h.run('delta', { records });
    const first = await h.run('delta', { removals: records.slice(0, 6).map((r) => r.anchor) });
    expect(first.batch.results.every((r) => r.status === 'removed')).toBe(true);

    await h.advance(20 * 60 * 1000);
    const changed = { ...records[50]!, title: 'Engineer' };
    const second = await h.run('delta', {
      records: [changed],
      removals: records.slice(6, 11).map((r) => r.anchor),
    });
    expect(second.batch.results.find((r) => r.anchor === changed.anchor)?.status).toBe('updated');
    expect(second.batch.results.filter((r) => r.status === 'held')).toHaveLength(5);
    expect(await h.service.directory.count(h.tenantId)).toBe(94);

    const rejected = await h.service.removals.reject(h.tenantId, 'all', adminActor);
    expect(rejected.rejected).toBe(5);
    expect(await h.service.directory.count(h.tenantId)).toBe(94);

    await h.advance(61 * 60 * 1000);
    const later = await h.run('delta', { removals: [records[20]!.anchor] });
    expect(later.batch.results).toEqual([{ anchor: records[20]!.anchor, status: 'removed' }]);
  });

  it('deciding a removal twice is rejected', async () => {
    const records = Array.from({ length: 100 }, () => userRecord());
    await h.run('delta', { records });
    await h.fullRun(records.slice(20));
    const [first] = await h.service.removals.listPending(h.tenantId);
    expect(await h.service.removals.approve(h.tenantId, [first!.id], adminActor)).toEqual({
      removed: 1,
    });
    const again = await h.service.removals
      .reject(h.tenantId, [first!.id], adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(again, 'UP_HOSTED_REMOVAL_NOT_PENDING')).toBe(true);
    expect(await h.service.removals.listPending(h.tenantId)).toHaveLength(19);
  });

  it('held removal becomes obsolete when the object is reported again', async () => {
    const records = Array.from({ length: 100 }, () => userRecord());
    await h.run('delta', { records });
    await h.fullRun(records.slice(20));
    expect(await h.service.removals.listPending(h.tenantId)).toHaveLength(20);
    await h.fullRun(records);
    expect(await h.service.removals.listPending(h.tenantId)).toHaveLength(0);
    expect(await h.service.directory.count(h.tenantId)).toBe(100);
  });

  it('agent without the lease is refused', async () => {
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const other = await h.service.agents.register(install.user, install.password, {
      host: 'dc2-agent',
      dc: 'dc2.corp.example',
      version: '0.1.0',
    });
    const refused = await h.service.lease.acquire(h.tenantId, other!.agentId, 60_000);
    expect(refused.acquired).toBe(false);

    const error = await h.service.runs
      .start(h.tenantId, other!.agentId, h.epoch, 'delta')
      .catch((e: unknown) => e);
    expect(isUserPilotError(error, 'UP_HOSTED_LEASE_NOT_HELD')).toBe(true);
  });

  it('former holder with an old epoch is refused after hand-over', async () => {
    const ref = { tenantId: h.tenantId, agentId: h.agentId, epoch: h.epoch };
    const run = await h.service.runs.start(h.tenantId, h.agentId, h.epoch, 'delta');
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const other = await h.service.agents.register(install.user, install.password, {
      host: 'dc2-agent',
      dc: 'dc2.corp.example',
      version: '0.1.0',
    });

    h.clock.advance(11 * 60 * 1000);
    const taken = await h.service.lease.acquire(h.tenantId, other!.agentId, 60_000);
    expect(taken.acquired).toBe(true);
    expect(taken.lease.epoch).toBe(h.epoch + 1);

    const late = await h.service.runs
      .applyBatch({ ...ref, runId: run.id }, { records: [userRecord()] })
      .catch((e: unknown) => e);
    expect(isUserPilotError(late, 'UP_HOSTED_EPOCH_STALE')).toBe(true);
    const renew = await h.service.lease.renew(h.tenantId, h.agentId, h.epoch, 60_000);
    expect(renew).toMatchObject({ acquired: false, reason: 'epoch-stale' });
    expect(await h.service.directory.count(h.tenantId)).toBe(0);
  });
});
