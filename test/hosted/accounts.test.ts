import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import {
  adminActor,
  engines,
  openHarness,
  systemActor,
  userRecord,
  type Harness,
} from './harness.ts';

describe.each(engines)('accounts, agents and tokens on %s', (engine) => {
  let h: Harness;
  const hello = { host: 'dc2-agent', dc: 'dc2.corp.example', version: '0.1.0' };

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  it('operator and admin passwords verify case-insensitively by user name', async () => {
    const operator = await h.service.operators.create({
      username: 'Root-Op',
      password: 'op-password-1',
    });
    expect(await h.service.operators.verifyPassword('root-op', 'op-password-1')).toEqual(operator);
    expect(await h.service.operators.verifyPassword('root-op', 'wrong')).toBeNull();
    expect(await h.service.operators.verifyPassword('nobody', 'op-password-1')).toBeNull();

    const admin = await h.service.admins.create(
      h.tenantId,
      { username: 'Ådmin', password: 'admin-password-1' },
      systemActor,
    );
    expect(await h.service.admins.verifyPassword('ådmin', 'admin-password-1')).toEqual(admin);
    await h.service.admins.setPassword(h.tenantId, admin.id, 'admin-password-2', adminActor);
    expect(await h.service.admins.verifyPassword('ÅDMIN', 'admin-password-1')).toBeNull();
    expect(await h.service.admins.verifyPassword('ÅDMIN', 'admin-password-2')).toEqual(admin);
  });

  it('taken tenant name is rejected', async () => {
    await h.service.tenants.create({ name: 'Acme' }, systemActor);
    const tenant = await h.service.tenants
      .create({ name: 'Other' }, systemActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(tenant)).toBe(false);
    const duplicate = await h.service.tenants
      .create({ name: 'ACME' }, systemActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(duplicate, 'UP_HOSTED_NAME_TAKEN')).toBe(true);
    expect((await h.service.tenants.getByName('acme'))?.name).toBe('Acme');
  });

  it('domain registered by another tenant is rejected', async () => {
    const other = await h.service.tenants.create({ name: 'Second tenant' }, systemActor);
    const error = await h.service.domains
      .register(other.id, 'Example.COM', adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(error, 'UP_HOSTED_NAME_TAKEN')).toBe(true);
    const invalid = await h.service.domains
      .register(other.id, 'not a domain', adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(invalid, 'UP_HOSTED_DOMAIN_INVALID')).toBe(true);
  });

  it('rotating the install password keeps registered agents working', async () => {
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const registration = await h.service.agents.register(install.user, install.password, hello);
    expect(registration).not.toBeNull();

    const rotated = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    expect(rotated.user).toBe(install.user);
    expect(await h.service.agents.register(install.user, install.password, hello)).toBeNull();
    expect(await h.service.agents.register(rotated.user, rotated.password, hello)).not.toBeNull();

    const agent = await h.service.agents.verifyCredential(registration!.credential);
    expect(agent?.id).toBe(registration!.agentId);
    expect(agent?.tenantId).toBe(h.tenantId);
  });

  it('agent credentials that are wrong or revoked are refused', async () => {
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const registration = await h.service.agents.register(install.user, install.password, hello);
    const credential = registration!.credential;
    const tampered = `${credential.slice(0, -2)}${credential.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(await h.service.agents.verifyCredential(tampered)).toBeNull();
    expect(await h.service.agents.verifyCredential('garbage')).toBeNull();

    await h.service.agents.revoke(h.tenantId, registration!.agentId, adminActor);
    expect(await h.service.agents.verifyCredential(credential)).toBeNull();
  });

  it('heartbeat records host, DC and version', async () => {
    h.clock.advance(30_000);
    const agent = await h.service.agents.heartbeat(h.tenantId, h.agentId, {
      host: 'dc1-agent',
      dc: 'dc1b.corp.example',
      version: '0.2.0',
    });
    expect(agent).toMatchObject({
      dc: 'dc1b.corp.example',
      version: '0.2.0',
      lastHeartbeatAt: '2026-03-01T08:00:30.000Z',
      holdsLease: true,
    });
    expect((await h.service.agents.list(h.tenantId)).map((a) => a.id)).toEqual([h.agentId]);
  });

  it('lease epoch rises only when the lease changes hands', async () => {
    const install = await h.service.agents.rotateInstallPassword(h.tenantId, adminActor);
    const other = (await h.service.agents.register(install.user, install.password, hello))!;
    const renewed = await h.service.lease.acquire(h.tenantId, h.agentId, 60_000);
    expect(renewed).toMatchObject({ acquired: true, lease: { epoch: h.epoch } });

    expect(await h.service.lease.release(h.tenantId, h.agentId, h.epoch)).toBe(true);
    const taken = await h.service.lease.acquire(h.tenantId, other.agentId, 60_000);
    expect(taken).toMatchObject({
      acquired: true,
      lease: { epoch: h.epoch + 1, agentId: other.agentId },
    });
    const refused = await h.service.lease.acquire(h.tenantId, h.agentId, 60_000);
    expect(refused).toMatchObject({ acquired: false, reason: 'held-by-other' });

    h.clock.advance(60_000);
    const back = await h.service.lease.acquire(h.tenantId, h.agentId, 60_000);
    expect(back).toMatchObject({
      acquired: true,
      lease: { epoch: h.epoch + 2, agentId: h.agentId },
    });
  });

  it('sessions expire and can be deleted', async () => {
    const { token, session } = await h.service.sessions.create({
      subjectKind: 'admin',
      subjectId: 'someone',
      tenantId: h.tenantId,
      ttlMs: 60_000,
    });
    expect(await h.service.sessions.get(token)).toEqual(session);
    h.clock.advance(60_001);
    expect(await h.service.sessions.get(token)).toBeNull();
    expect(await h.service.sessions.deleteExpired()).toBe(1);

    const second = await h.service.sessions.create({
      subjectKind: 'operator',
      subjectId: 'op',
      tenantId: null,
      ttlMs: 60_000,
    });
    await h.service.sessions.delete(second.token);
    expect(await h.service.sessions.get(second.token)).toBeNull();
  });

  it('SCIM tokens verify until revoked and stay with their tenant', async () => {
    const { token, info } = await h.service.scimTokens.create(
      h.tenantId,
      'identity provider',
      adminActor,
    );
    expect((await h.service.scimTokens.verify(token))?.tenantId).toBe(h.tenantId);
    const rows = await h.opened.store.db.selectFrom('scim_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);

    const other = await h.service.tenants.create({ name: 'Another' }, systemActor);
    const cross = await h.service.scimTokens
      .revoke(other.id, info.id, adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(cross, 'UP_HOSTED_INPUT_INVALID')).toBe(true);
    expect(await h.service.scimTokens.verify(token)).not.toBeNull();

    await h.service.scimTokens.revoke(h.tenantId, info.id, adminActor);
    expect(await h.service.scimTokens.verify(token)).toBeNull();
  });

  it("one tenant cannot reach another tenant's data", async () => {
    const other = await h.service.tenants.create({ name: 'Neighbour' }, systemActor);
    await h.service.domains.register(other.id, 'neighbour.example', adminActor);
    const mailbox = await h.service.mailboxes.create(
      h.tenantId,
      { upn: 'mine@example.com' },
      adminActor,
    );
    const record = { anchor: '00000000-0000-4000-8000-00000000abcd' };
    await h.run('delta', {
      records: [
        {
          ...userRecord(record),
          userPrincipalName: 'mine2@example.com',
        },
      ],
    });

    expect(await h.service.mailboxes.get(other.id, mailbox.id)).toBeNull();
    expect(await h.service.mailboxes.getByAddress(other.id, 'mine@example.com')).toBeNull();
    expect(await h.service.directory.get(other.id, record.anchor)).toBeNull();
    expect((await h.service.directory.list(other.id)).total).toBe(0);
    const update = await h.service.mailboxes
      .update(other.id, mailbox.id, { displayName: 'x' }, adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(update, 'UP_HOSTED_MAILBOX_NOT_FOUND')).toBe(true);
    const link = await h.service.links
      .link(other.id, record.anchor, mailbox.id, adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(link, 'UP_HOSTED_OBJECT_NOT_FOUND')).toBe(true);
    const lease = await h.service.lease
      .acquire(other.id, h.agentId, 60_000)
      .catch((e: unknown) => e);
    expect(isUserPilotError(lease, 'UP_HOSTED_AGENT_NOT_FOUND')).toBe(true);
    const run = await h.service.runs
      .start(other.id, h.agentId, h.epoch, 'delta')
      .catch((e: unknown) => e);
    expect(isUserPilotError(run, 'UP_HOSTED_LEASE_NOT_HELD')).toBe(true);
    expect(await h.service.agents.get(other.id, h.agentId)).toBeNull();
  });

  it('policy update validates every field at once', async () => {
    const error = await h.service.policies
      .update(h.tenantId, { removalGuardPercent: 101, passwordMinLength: 0 }, adminActor)
      .catch((e: unknown) => e);
    expect(isUserPilotError(error, 'UP_HOSTED_INPUT_INVALID')).toBe(true);
    expect(isUserPilotError(error) && error.details.problems).toHaveLength(2);
    const updated = await h.service.policies.update(
      h.tenantId,
      { removalGuardMax: 50 },
      adminActor,
    );
    expect(updated).toMatchObject({
      removalGuardMax: 50,
      removalGuardPercent: 10,
      leaveScope: 'disable',
    });
  });
});
