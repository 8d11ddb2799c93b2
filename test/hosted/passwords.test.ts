import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminActor, engines, openHarness, userRecord, type Harness } from './harness.ts';

describe.each(engines)('passwords and sign-in on %s', (engine) => {
  let h: Harness;
  const agent = () => ({ kind: 'agent', id: h.agentId }) as const;

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  async function linkedUser(fields: Parameters<typeof userRecord>[0] = {}) {
    const record = userRecord(fields);
    await h.run('delta', { records: [record] });
    const { created } = await h.service.links.autocreate(h.tenantId, [record.anchor], adminActor);
    return { record, mailboxId: created[0]!.mailboxId };
  }

  it('newest password by pwdLastSet wins', async () => {
    const { record } = await linkedUser();
    const upn = record.userPrincipalName!;
    const submit = (password: string, pwdLastSet: string) =>
      h.service.passwords.submit(
        h.tenantId,
        { anchor: record.anchor, password, pwdLastSet },
        agent(),
      );

    expect(await submit('Först-Passwort-1', '2026-03-01T07:00:00Z')).toBe('stored');
    expect(await submit('Second-password-2', '2026-03-01T07:30:00Z')).toBe('stored');
    expect(await submit('Först-Passwort-1', '2026-03-01T07:00:00Z')).toBe('stale');
    expect(await submit('Second-password-2', '2026-03-01T07:30:00Z')).toBe('stale');

    expect(await h.service.passwords.verifySignIn(upn, 'Second-password-2')).toMatchObject({
      ok: true,
    });
    expect(await h.service.passwords.verifySignIn(upn, 'Först-Passwort-1')).toEqual({
      ok: false,
      reason: 'wrong-password',
    });
    const status = await h.service.passwords.status(h.tenantId, record.anchor);
    expect(status).toMatchObject({ synchronized: true, pwdLastSet: '2026-03-01T07:30:00.000Z' });
  });

  it('password of an unlinked object waits for its link', async () => {
    const record = userRecord();
    await h.run('delta', { records: [record] });
    const stored = await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: 'pässwörd-ünïcode-✓', pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    expect(stored).toBe('stored');
    expect((await h.service.directory.get(h.tenantId, record.anchor))?.password.synchronized).toBe(
      true,
    );
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'pässwörd-ünïcode-✓'),
    ).toEqual({
      ok: false,
      reason: 'unknown-login',
    });

    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'mbx@example.com' },
      adminActor,
    );
    await h.service.links.link(h.tenantId, record.anchor, mailbox.id, adminActor);
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'pässwörd-ünïcode-✓'),
    ).toMatchObject({
      ok: true,
      mailboxId: mailbox.id,
    });
  });

  it('linked mailbox without a captured password says so', async () => {
    const { record, mailboxId } = await linkedUser();
    expect((await h.service.mailboxes.get(h.tenantId, mailboxId))?.password).toEqual({
      synchronized: false,
    });
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'anything-at-all'),
    ).toEqual({
      ok: false,
      reason: 'password-not-synchronized',
    });
  });

  it('expiry in the future takes effect at that instant', async () => {
    const { record } = await linkedUser({ accountExpires: '2026-03-01T12:00:00Z' });
    await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: 'expiring-password', pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    const signIn = () =>
      h.service.passwords.verifySignIn(record.userPrincipalName!, 'expiring-password');
    expect(await signIn()).toMatchObject({ ok: true });
    h.clock.set('2026-03-01T11:59:59.999Z');
    expect(await signIn()).toMatchObject({ ok: true });
    h.clock.set('2026-03-01T12:00:00Z');
    expect(await signIn()).toEqual({ ok: false, reason: 'expired' });
  });

  it('disabled account cannot sign in until enabled again', async () => {
    const { record } = await linkedUser();
    await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: 'disable-me-please', pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    await h.run('delta', { records: [{ ...record, enabled: false }] });
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'disable-me-please'),
    ).toEqual({
      ok: false,
      reason: 'disabled',
    });
    await h.run('delta', { records: [{ ...record, enabled: true }] });
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'disable-me-please'),
    ).toMatchObject({
      ok: true,
    });
  });

  it('soft-deleted mailbox cannot sign in', async () => {
    await h.service.policies.update(h.tenantId, { leaveScope: 'soft-delete' }, adminActor);
    const { record } = await linkedUser();
    await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: 'deleted-password', pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    await h.run('delta', { removals: [record.anchor] });
    expect(
      await h.service.passwords.verifySignIn(record.userPrincipalName!, 'deleted-password'),
    ).toEqual({
      ok: false,
      reason: 'deleted',
    });
  });

  it('password shorter than the policy is not stored and recorded', async () => {
    await h.service.policies.update(h.tenantId, { passwordMinLength: 12 }, adminActor);
    const { record } = await linkedUser();
    const status = await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: 'short-pw', pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    expect(status).toBe('policy-violation');
    expect(await h.service.passwords.status(h.tenantId, record.anchor)).toEqual({
      synchronized: false,
    });
    const events = await h.service.activity.list(h.tenantId, { objectId: record.anchor });
    expect(events.items.map((e) => e.action)).toContain('password.policy-violation');
  });

  it('activity log keeps policy values', async () => {
    await h.service.policies.update(h.tenantId, { passwordMinLength: 10 }, adminActor);
    const [entry] = (await h.service.activity.list(h.tenantId, { objectType: 'tenant' })).items;
    expect(entry?.action).toBe('policies.updated');
    expect(entry?.before).toEqual({ passwordMinLength: 8 });
    expect(entry?.after).toEqual({ passwordMinLength: 10 });
  });

  it('activity log and logs hold no secrets', async () => {
    const secrets = ['Secret-Captured-Pw-1', 'Secret-Mailbox-Pw-2', 'Secret-Admin-Pw-3'];
    const { record } = await linkedUser();
    await h.service.passwords.submit(
      h.tenantId,
      { anchor: record.anchor, password: secrets[0]!, pwdLastSet: '2026-03-01T07:00:00Z' },
      agent(),
    );
    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'local@example.com', password: secrets[1]! },
      adminActor,
    );
    await h.service.mailboxes.update(
      h.tenantId,
      mailbox.id,
      { password: `${secrets[1]!}-new` },
      adminActor,
    );
    await h.service.admins.create(
      h.tenantId,
      { username: 'boss', password: secrets[2]! },
      adminActor,
    );
    const scim = await h.service.scimTokens.create(h.tenantId, 'idp', adminActor);
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const session = await h.service.sessions.create({
      subjectKind: 'admin',
      subjectId: 'boss',
      tenantId: h.tenantId,
      ttlMs: 60_000,
    });
    await h.service.links.unlink(
      h.tenantId,
      (await h.service.mailboxes.getByAddress(h.tenantId, record.userPrincipalName!))!.id,
      adminActor,
    );

    const forbidden = [...secrets, scim.token, install.password, session.token, '$argon2'];
    const rows = await h.opened.store.db.selectFrom('activity').selectAll().execute();
    const activityText = JSON.stringify(rows);
    const logText = h.logs.lines.join('');
    expect(rows.length).toBeGreaterThan(5);
    for (const secret of forbidden) {
      expect(activityText).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
  });
});
