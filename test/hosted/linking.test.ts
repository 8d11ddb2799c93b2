import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { adminActor, engines, openHarness, userRecord, type Harness } from './harness.ts';

describe.each(engines)('linking rules on %s', (engine) => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  async function caught(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it('two "Alice Doe" mailboxes make Autolink report ambiguity and link nothing', async () => {
    const alice = userRecord({
      userPrincipalName: 'alice.doe@example.com',
      displayName: 'Alice Doe',
    });
    await h.run('delta', { records: [alice] });
    const first = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'adoe@example.com', displayName: 'Alice Doe' },
      adminActor,
    );
    const second = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'alice@example.com', displayName: 'alice doe' },
      adminActor,
    );

    const preview = await h.service.links.previewAutolink(h.tenantId);
    expect(preview.pairs).toEqual([]);
    expect(preview.ambiguities).toEqual([
      {
        by: 'displayName',
        value: 'Alice Doe',
        anchors: [alice.anchor],
        mailboxIds: [first.id, second.id].sort(),
      },
    ]);
    const applied = await h.service.links.applyAutolink(h.tenantId, adminActor);
    expect(applied.pairs).toEqual([]);
    expect((await h.service.mailboxes.list(h.tenantId, { linked: true })).total).toBe(0);
  });

  it('Autolink pairs by UPN against an address, then by unique display name', async () => {
    const byUpn = userRecord({ userPrincipalName: 'Bob@Example.com', displayName: 'Bob' });
    const byName = userRecord({ userPrincipalName: 'carol.x@example.com', displayName: 'Carol Y' });
    await h.run('delta', { records: [byUpn, byName] });
    const bob = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'robert@example.com', otherAddresses: ['bob@example.com'], displayName: 'Robert' },
      adminActor,
    );
    const carol = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'carol@example.com', displayName: 'Carol Y' },
      adminActor,
    );

    const applied = await h.service.links.applyAutolink(h.tenantId, adminActor);
    expect(applied.pairs).toEqual(
      expect.arrayContaining([
        { anchor: byUpn.anchor, mailboxId: bob.id, by: 'upn' },
        { anchor: byName.anchor, mailboxId: carol.id, by: 'displayName' },
      ]),
    );
    expect(applied.pairs).toHaveLength(2);
    const linkedBob = await h.service.mailboxes.get(h.tenantId, bob.id);
    expect(linkedBob?.upn).toBe('Bob@Example.com');
    expect(linkedBob?.displayName).toBe('Bob');
  });

  it('Autolink never pairs by local part alone', async () => {
    await h.service.domains.register(h.tenantId, 'other.example', adminActor);
    const record = userRecord({ userPrincipalName: 'dave@other.example', displayName: 'Dave A' });
    await h.run('delta', { records: [record] });
    await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'dave@example.com', displayName: 'Dave B' },
      adminActor,
    );
    const preview = await h.service.links.previewAutolink(h.tenantId);
    expect(preview.pairs).toEqual([]);
    expect(preview.ambiguities).toEqual([]);
  });

  it.each([
    { name: 'UPN not an email address', upn: 'erin', reason: 'upn-not-email' },
    { name: 'missing UPN', upn: null, reason: 'upn-not-email' },
    {
      name: 'UPN in unregistered domain',
      upn: 'erin@later.example',
      reason: 'upn-domain-not-registered',
    },
  ])('not eligible: $name', async ({ upn, reason }) => {
    const record = userRecord({ userPrincipalName: upn });
    const { batch } = await h.run('delta', { records: [record] });
    expect(batch.results[0]).toMatchObject({ status: 'created', eligible: false, reason });

    const object = await h.service.directory.get(h.tenantId, record.anchor);
    expect(object?.eligible).toBe(false);
    expect(object?.reason).toBe(reason);
    expect(object?.reasonHint).toBeTruthy();
    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'someone@example.com' },
      adminActor,
    );
    const error = await caught(
      h.service.links.link(h.tenantId, record.anchor, mailbox.id, adminActor),
    );
    expect(isUserPilotError(error, 'UP_HOSTED_NOT_ELIGIBLE')).toBe(true);
    const created = await h.service.links.autocreate(h.tenantId, 'all', adminActor);
    expect(created.created).toEqual([]);
  });

  it('registering the domain later makes objects eligible', async () => {
    const records = [
      userRecord({ userPrincipalName: 'frank@Later.Example' }),
      userRecord({ userPrincipalName: 'gina@later.example' }),
      userRecord({ userPrincipalName: 'hank@elsewhere.example' }),
    ];
    await h.run('delta', { records });
    const { newlyEligible } = await h.service.domains.register(
      h.tenantId,
      'LATER.example',
      adminActor,
    );
    expect(newlyEligible).toBe(2);
    expect((await h.service.directory.get(h.tenantId, records[0]!.anchor))?.eligible).toBe(true);
    expect((await h.service.directory.get(h.tenantId, records[2]!.anchor))?.reason).toBe(
      'upn-domain-not-registered',
    );
  });

  it('registering the domain with standing Autocreate creates mailboxes', async () => {
    await h.service.policies.update(h.tenantId, { autocreate: true }, adminActor);
    const record = userRecord({ userPrincipalName: 'ivy@later.example' });
    await h.run('delta', { records: [record] });
    expect((await h.service.mailboxes.list(h.tenantId)).total).toBe(0);
    await h.service.domains.register(h.tenantId, 'later.example', adminActor);
    const mailbox = await h.service.mailboxes.getByAddress(h.tenantId, 'IVY@later.example');
    expect(mailbox?.linkedAnchor).toBe(record.anchor);
  });

  it('removing a used domain is refused with the count', async () => {
    await h.service.mailboxes.create(h.tenantId, { upn: 'one@example.com' }, adminActor);
    await h.service.mailboxes.create(h.tenantId, { upn: 'two@example.com' }, adminActor);
    const [domain] = await h.service.domains.list(h.tenantId);
    const error = await caught(h.service.domains.remove(h.tenantId, domain!.id, adminActor));
    expect(isUserPilotError(error, 'UP_HOSTED_DOMAIN_IN_USE')).toBe(true);
    expect(isUserPilotError(error) && error.details.mailboxCount).toBe(2);
    expect(isUserPilotError(error) && error.message).toContain('2 mailboxes');
    expect(await h.service.domains.list(h.tenantId)).toHaveLength(1);
  });

  it('removing an unused domain makes its objects not eligible', async () => {
    const { domain } = await h.service.domains.register(h.tenantId, 'spare.example', adminActor);
    const record = userRecord({ userPrincipalName: 'jo@spare.example' });
    await h.run('delta', { records: [record] });
    const result = await h.service.domains.remove(h.tenantId, domain.id, adminActor);
    expect(result.newlyIneligible).toBe(1);
    expect((await h.service.directory.get(h.tenantId, record.anchor))?.eligible).toBe(false);
  });

  it('edits of synchronized fields of a linked mailbox are rejected', async () => {
    const record = userRecord({ title: 'Clerk' });
    await h.run('delta', { records: [record] });
    const { created } = await h.service.links.autocreate(h.tenantId, [record.anchor], adminActor);
    const mailboxId = created[0]!.mailboxId;

    for (const patch of [
      { displayName: 'Someone Else' },
      { profile: { title: 'Boss' } },
      { upn: 'else@example.com' },
      { enabled: false },
      { password: 'a-new-password' },
    ]) {
      const error = await caught(
        h.service.mailboxes.update(h.tenantId, mailboxId, patch, adminActor),
      );
      expect(isUserPilotError(error, 'UP_HOSTED_FIELD_SYNCHRONIZED')).toBe(true);
      expect(isUserPilotError(error) && error.message).toContain('cannot be changed here');
      expect(isUserPilotError(error) && error.hint).toContain('local Active Directory');
    }
    const same = await h.service.mailboxes.update(
      h.tenantId,
      mailboxId,
      { profile: { title: 'Clerk' } },
      adminActor,
    );
    expect(same.profile.title).toBe('Clerk');

    const unlinked = await h.service.links.unlink(h.tenantId, mailboxId, adminActor);
    expect(unlinked.linkedAnchor).toBeNull();
    const edited = await h.service.mailboxes.update(
      h.tenantId,
      mailboxId,
      { displayName: 'Local' },
      adminActor,
    );
    expect(edited.displayName).toBe('Local');
  });

  it('linked mailbox takes every synchronized value from AD', async () => {
    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'kim@example.com', displayName: 'Old', profile: { department: 'Old dept' } },
      adminActor,
    );
    const record = userRecord({
      userPrincipalName: 'kim@example.com',
      displayName: 'Kim Ng',
      department: 'Sales',
      mail: 'kim.ng@example.com',
      secondarySmtpAddresses: ['k@example.com', 'kim@unregistered.example'],
      telephoneNumber: '+1 555 0100',
    });
    await h.run('delta', { records: [record] });
    const linked = await h.service.links.link(h.tenantId, record.anchor, mailbox.id, adminActor);
    expect(linked.displayName).toBe('Kim Ng');
    expect(linked.profile.department).toBe('Sales');
    expect(linked.profile.telephoneNumber).toBe('+1 555 0100');
    expect(linked.otherAddresses.sort()).toEqual(['k@example.com', 'kim.ng@example.com']);
  });

  it('manual link refuses a linked mailbox and a taken object', async () => {
    const record = userRecord();
    await h.run('delta', { records: [record] });
    const { created } = await h.service.links.autocreate(h.tenantId, 'all', adminActor);
    const other = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'spare@example.com' },
      adminActor,
    );
    const error = await caught(
      h.service.links.link(h.tenantId, record.anchor, other.id, adminActor),
    );
    expect(isUserPilotError(error, 'UP_HOSTED_ALREADY_LINKED')).toBe(true);
    expect(created).toHaveLength(1);
  });

  it('standing Autolink links objects as they arrive', async () => {
    await h.service.policies.update(h.tenantId, { autolink: true }, adminActor);
    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'lee@example.com' },
      adminActor,
    );
    const record = userRecord({ userPrincipalName: 'lee@example.com' });
    const { batch } = await h.run('delta', { records: [record] });
    expect(batch.results[0]?.mailboxId).toBe(mailbox.id);
  });

  it('mailbox list pages by cursor and searches case-insensitively', async () => {
    for (let index = 0; index < 23; index += 1) {
      await h.service.mailboxes.create(
        h.tenantId,
        { upn: `user${String(index).padStart(2, '0')}@example.com`, displayName: `Ärzte ${index}` },
        adminActor,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof h.service.mailboxes.list>> =
        await h.service.mailboxes.list(
          h.tenantId,
          cursor === null ? { limit: 10 } : { limit: 10, cursor },
        );
      expect(page.total).toBe(23);
      seen.push(...page.items.map((m) => m.upn));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toHaveLength(23);
    expect(seen).toEqual([...seen].sort());

    const found = await h.service.mailboxes.list(h.tenantId, { search: 'ÄRZTE 1' });
    expect(found.items.map((m) => m.displayName).sort()).toEqual(
      [
        'Ärzte 1',
        'Ärzte 10',
        'Ärzte 11',
        'Ärzte 12',
        'Ärzte 13',
        'Ärzte 14',
        'Ärzte 15',
        'Ärzte 16',
        'Ärzte 17',
        'Ärzte 18',
        'Ärzte 19',
      ].sort(),
    );
    const wildcard = await h.service.mailboxes.list(h.tenantId, { search: '%' });
    expect(wildcard.total).toBe(0);
  });
});
