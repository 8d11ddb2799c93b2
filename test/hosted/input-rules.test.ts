import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';
import {
  adminActor,
  engines,
  openHarness,
  systemActor,
  userRecord,
  type Harness,
} from './harness.ts';

const agent = (h: Harness) => ({ kind: 'agent', id: h.agentId }) as const;
const minutes = (n: number) => n * 60 * 1000;

async function failure(work: Promise<unknown>): Promise<UserPilotError> {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isUserPilotError(error)) throw new Error(`expected a UserPilotError, got ${String(error)}`);
  return error;
}

describe.each(engines)('input rules on %s', (engine) => {
  let h: Harness;

  beforeEach(async () => {
    h = await openHarness(engine);
  });

  afterEach(async () => {
    await h.dispose();
  });

  describe('admin and operator password length', () => {
    const short = 'eleven-char';
    const twelve = 'twelve-chars';

    it.each([
      {
        name: 'operator create',
        act: (h: Harness, pw: string) =>
          h.service.operators.create({ username: `op-${pw}`, password: pw }),
      },
      {
        name: 'admin create',
        act: (h: Harness, pw: string) =>
          h.service.admins.create(h.tenantId, { username: `ad-${pw}`, password: pw }, systemActor),
      },
      {
        name: 'admin password change',
        act: async (h: Harness, pw: string) => {
          const admin = await h.service.admins.create(
            h.tenantId,
            { username: `ch-${pw}`, password: 'long-enough-password' },
            systemActor,
          );
          await h.service.admins.setPassword(h.tenantId, admin.id, pw, adminActor);
        },
      },
    ])('$name rejects 11 characters', async ({ act }) => {
      const error = await failure(act(h, short));
      expect(error.code).toBe('UP_HOSTED_PASSWORD_POLICY');
      expect(error.message).toContain('12');
      expect(error.message).not.toContain(short);
      await expect(act(h, twelve)).resolves.not.toThrow();
    });

    it('counts code points, not UTF-16 units', async () => {
      const emoji = '🔑'.repeat(11);
      const error = await failure(
        h.service.operators.create({ username: 'emoji', password: emoji }),
      );
      expect(error.details).toMatchObject({ length: 11, minLength: 12 });
    });
  });

  describe('future pwdLastSet', () => {
    it.each([
      { name: 'just inside the skew', aheadMs: minutes(5), status: 'stored' },
      { name: 'beyond the skew', aheadMs: minutes(5) + 1000, status: 'policy-violation' },
      { name: 'far future', aheadMs: minutes(60 * 24 * 365 * 70), status: 'policy-violation' },
    ])('$name is $status', async ({ aheadMs, status }) => {
      const record = userRecord();
      await h.fullRun([record]);
      const pwdLastSet = new Date(h.clock.now().getTime() + aheadMs).toISOString();
      const submission = { anchor: record.anchor, password: 'Captured-Pw-123', pwdLastSet };
      expect(await h.service.passwords.submit(h.tenantId, submission, agent(h))).toBe(status);

      const page = await h.service.activity.list(h.tenantId, { objectId: record.anchor });
      const violation = page.items.find((e) => e.action === 'password.policy-violation');
      if (status === 'stored') {
        expect(violation).toBeUndefined();
      } else {
        expect(violation?.after).toMatchObject({ rule: 'pwd-last-set-in-future', pwdLastSet });
        const later = { ...submission, pwdLastSet: h.clock.now().toISOString() };
        expect(await h.service.passwords.submit(h.tenantId, later, agent(h))).toBe('stored');
      }
    });
  });

  describe('invisible format characters', () => {
    it.each([
      {
        attribute: 'userPrincipalName',
        fields: { userPrincipalName: 'rtl\u202e@example.com' },
        character: 'U+202E',
      },
      { attribute: 'mail', fields: { mail: 'zero\u200bwidth@example.com' }, character: 'U+200B' },
      {
        attribute: 'secondarySmtpAddresses',
        fields: { secondarySmtpAddresses: ['\ufeffbom@example.com'] },
        character: 'U+FEFF',
      },
    ])('record $attribute is rejected', async ({ attribute, fields, character }) => {
      const { batch } = await h.fullRun([userRecord(fields)]);
      expect(batch.results[0]).toMatchObject({
        status: 'rejected',
        code: 'UP_HOSTED_ADDRESS_INVALID',
        attribute,
      });
      expect(batch.results[0]?.message).toContain(character);
    });

    it.each([
      { name: 'upn', input: { upn: 'rtl\u202eabc@example.com' } },
      {
        name: 'other address',
        input: { upn: 'plain@example.com', otherAddresses: ['a\u2066b@example.com'] },
      },
    ])('mailbox $name is rejected', async ({ input }) => {
      const error = await failure(h.service.mailboxes.create(h.tenantId, input, adminActor));
      expect(error.code).toBe('UP_HOSTED_ADDRESS_INVALID');
      expect(error.message).toMatch(/invisible format character U\+20(2E|66)/);
    });

    it('domain name is rejected', async () => {
      const error = await failure(
        h.service.domains.register(h.tenantId, 'exa\u200bmple.org', adminActor),
      );
      expect(error.code).toBe('UP_HOSTED_DOMAIN_INVALID');
      expect(error.details).toMatchObject({ attribute: 'domain', character: 'U+200B' });
    });
  });

  describe('internationalized domains', () => {
    it.each([
      { first: 'bücher.example', second: 'xn--bcher-kva.example' },
      { first: 'xn--bcher-kva.example', second: 'BÜCHER.example' },
      { first: 'bücher.example', second: 'bu\u0308cher.example' },
    ])('$first and $second are one domain', async ({ first, second }) => {
      const other = await h.service.tenants.create({ name: 'Other tenant' }, systemActor);
      await h.service.domains.register(h.tenantId, first, adminActor);
      const error = await failure(h.service.domains.register(other.id, second, adminActor));
      expect(error.code).toBe('UP_HOSTED_NAME_TAKEN');
    });

    it('NFD spelling registers in NFC', async () => {
      const { domain } = await h.service.domains.register(
        h.tenantId,
        'mu\u0308nchen.example',
        adminActor,
      );
      expect(domain.name).toBe('münchen.example');
    });

    it.each([
      { registered: 'bücher.example', upn: 'ann@xn--bcher-kva.example' },
      { registered: 'xn--bcher-kva.example', upn: 'ann@bücher.example' },
    ])('UPN $upn is eligible under $registered', async ({ registered, upn }) => {
      const record = userRecord({ userPrincipalName: upn });
      const before = await h.fullRun([record]);
      expect(before.batch.results[0]?.eligible).toBe(false);
      const { newlyEligible } = await h.service.domains.register(
        h.tenantId,
        registered,
        adminActor,
      );
      expect(newlyEligible).toBe(1);
    });

    it('domain used under its other form cannot be removed', async () => {
      const { domain } = await h.service.domains.register(
        h.tenantId,
        'xn--bcher-kva.example',
        adminActor,
      );
      await h.service.mailboxes.create(h.tenantId, { upn: 'eva@bücher.example' }, adminActor);
      const error = await failure(h.service.domains.remove(h.tenantId, domain.id, adminActor));
      expect(error.code).toBe('UP_HOSTED_DOMAIN_IN_USE');
    });
  });
});
