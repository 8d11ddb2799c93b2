import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { ServiceClient } from '../../src/agent/service-client.ts';
import { ServiceTransport } from '../../src/agent/transport.ts';
import { loadFixture, type FixtureUser } from '../../src/lab/fixture.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';
import { adminClient, replaceAttribute } from '../directory/lab-directory.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  freePort,
  HostedHarness,
  hostedObjects,
  spawnUserpilot,
  stopChild,
  waitFor,
  writeAgentConfig,
} from './support/e2e.ts';

const system = { kind: 'system' } as const;
const fixture = loadFixture();
const inScope = fixture.users.filter((user) => user.expected !== 'out-of-scope');
const agentFacts = { host: 'test-host', dc: 'lab-dc', version: '0.0.0' };

// Fixture attribute names and the mailbox profile fields they map to.
const profileFields: [keyof FixtureUser, string][] = [
  ['givenName', 'givenName'],
  ['sn', 'sn'],
  ['title', 'title'],
  ['department', 'department'],
  ['company', 'company'],
  ['physicalDeliveryOfficeName', 'office'],
  ['telephoneNumber', 'telephoneNumber'],
  ['mobile', 'mobile'],
  ['facsimileTelephoneNumber', 'fax'],
  ['homePhone', 'homePhone'],
  ['streetAddress', 'street'],
  ['l', 'city'],
  ['st', 'state'],
  ['postalCode', 'postalCode'],
  ['co', 'country'],
  ['description', 'description'],
  ['employeeID', 'employeeId'],
];

describeLab('agent against the lab and a real service', () => {
  let lab: LabFacts;
  let hosted: HostedHarness;
  let agent: ReturnType<typeof spawnUserpilot> | undefined;

  beforeAll(async () => {
    lab = labFacts();
    hosted = await HostedHarness.create();
    await hosted.service.domains.register(hosted.tenantId, lab.mailDomain, system);
    await hosted.start();
    const config = writeAgentConfig({ hosted, lab });
    agent = spawnUserpilot(['agent', 'run', '--config', config.path], /full read finished/);
    await agent.ready;
  });

  afterAll(async () => {
    if (agent !== undefined) await stopChild(agent.child);
    await hosted?.close();
  });

  it('brings every in-scope user across with its eligibility', async () => {
    await waitFor(
      async () => (await hostedObjects(hosted)).length >= inScope.length,
      60_000,
      'the scope to arrive',
    );
    const objects = await hostedObjects(hosted);
    const byUpn = new Map(objects.map((object) => [object.record.userPrincipalName, object]));
    expect(objects).toHaveLength(inScope.length);
    for (const user of inScope) {
      const object = byUpn.get(user.userPrincipalName);
      expect(object, user.userPrincipalName).toBeDefined();
      if (user.expected === 'eligible') {
        expect(object?.eligible, user.userPrincipalName).toBe(true);
      } else if (typeof user.expected === 'object') {
        expect(object?.eligible, user.userPrincipalName).toBe(false);
        expect(object?.reason, user.userPrincipalName).toBe(user.expected.notEligible);
        expect(object?.reasonHint, user.userPrincipalName).toBeTruthy();
      }
    }
  });

  it('fills every mapped attribute of each eligible mailbox', async () => {
    await hosted.service.links.autocreate(hosted.tenantId, 'all', system);
    for (const user of inScope.filter((candidate) => candidate.expected === 'eligible')) {
      const mailbox = await hosted.service.mailboxes.getByAddress(
        hosted.tenantId,
        user.userPrincipalName,
      );
      expect(mailbox, user.userPrincipalName).not.toBeNull();
      expect(mailbox?.upn.toLowerCase()).toBe(user.userPrincipalName.toLowerCase());
      expect(mailbox?.linkedAnchor).not.toBeNull();
      expect(mailbox?.displayName ?? null).toBe(user.displayName ?? null);
      expect(mailbox?.enabled).toBe(user.disabled !== true);
      const profile = (mailbox?.profile ?? {}) as Record<string, string | null>;
      for (const [attribute, field] of profileFields) {
        expect(profile[field] ?? null, `${user.userPrincipalName} ${field}`).toBe(
          user[attribute] ?? null,
        );
      }
    }
  });

  it('carries an edit in the lab by itself', async () => {
    const user = inScope.find((candidate) => candidate.expected === 'eligible');
    if (user === undefined) throw new Error('the fixture has no eligible user');
    const objects = await hostedObjects(hosted);
    const target = objects.find(
      (object) => object.record.userPrincipalName === user.userPrincipalName,
    );
    if (target === undefined)
      throw new Error(`${user.userPrincipalName} is not on the hosted side`);
    const title = `Edited ${Date.now()}`;
    const client = await adminClient(lab);
    const original = target.record.title;
    if (original === null) throw new Error(`${user.userPrincipalName} has no title to restore`);
    try {
      await replaceAttribute(client, target.dn, 'title', title);
      await waitFor(
        async () =>
          (await hosted.service.directory.get(hosted.tenantId, target.anchor))?.record.title ===
          title,
        60_000,
        'the edit to arrive',
      );
    } finally {
      await replaceAttribute(client, target.dn, 'title', original);
      await client.unbind();
    }
  });

  it.each([
    [
      'wrong password',
      { password: 'not-the-password' },
      'UP_AGENT_PASSWORD_INCORRECT',
      'Password is incorrect.',
    ],
    [
      'skewed clock',
      { clockAheadMinutes: 10 },
      'UP_AGENT_CLOCK_SKEW',
      's ahead of the clock of the service',
    ],
    [
      'untrusted certificate',
      { trust: {} },
      'UP_AGENT_SERVICE_UNREACHABLE',
      'is not trusted: it is self-signed',
    ],
    ['unreachable URL', { port: 'free' }, 'UP_AGENT_SERVICE_UNREACHABLE', 'was refused'],
  ] as const)('reports %s', async (_name, variant, code, text) => {
    const port = 'port' in variant ? await freePort() : hosted.port;
    const clock = new ManualClock(
      new Date(
        Date.now() + ('clockAheadMinutes' in variant ? variant.clockAheadMinutes : 0) * 60_000,
      ),
    );
    const transport = new ServiceTransport({
      url: `https://127.0.0.1:${port}`,
      trust:
        'trust' in variant ? variant.trust : { fingerprint: hosted.init.tls.fingerprintSha256 },
      timeoutMs: 10_000,
      env: {},
    });
    const client = new ServiceClient(transport, clock);
    let failure: UserPilotError | undefined;
    try {
      await client.signIn(
        hosted.init.agentInstall.user,
        'password' in variant ? variant.password : hosted.init.agentInstall.password,
        agentFacts,
      );
    } catch (error) {
      if (!isUserPilotError(error)) throw error;
      failure = error;
    } finally {
      client.close();
    }
    expect(failure?.code).toBe(code);
    expect(failure?.message).toContain(text);
    if (code === 'UP_AGENT_SERVICE_UNREACHABLE') {
      expect(failure?.message).toContain(
        `Cannot access remote UserPilot service at https://127.0.0.1:${port}`,
      );
    }
    if (code === 'UP_AGENT_CLOCK_SKEW') {
      expect(Number(failure?.details.offset_seconds)).toBeGreaterThan(300);
    }
  });
});
