import type { Client } from 'ldapts';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedUsers } from '../../src/lab/seed.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import {
  adminClient,
  createOu,
  deleteTree,
  replaceAttribute,
  uniqueName,
} from '../directory/lab-directory.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import { directoryState, hostedState, stateDifferences } from './support/directory-state.ts';
import {
  HostedHarness,
  spawnUserpilot,
  stopChild,
  waitFor,
  writeAgentConfig,
} from './support/e2e.ts';

const system = { kind: 'system' } as const;

/** How long the service stays down while the directory changes; a minute unless overridden. */
const outageMs = Number(process.env.USERPILOT_TEST_OUTAGE_SECONDS ?? 60) * 1000;

async function userDns(client: Client, ouDn: string): Promise<string[]> {
  const result = await client.search(ouDn, {
    scope: 'one',
    filter: '(&(objectClass=user)(!(objectClass=computer)))',
    attributes: ['1.1'],
    paged: true,
  });
  return result.searchEntries.map((entry) => entry.dn).sort();
}

const killScopePrefix = 'AgentKill';
const killScopeSize = 5000;

/**
 * The 5,000-user OU of the kill test. Seeding it takes minutes (the lab adds about 60 users a
 * second, less when the machine is busy), so an OU named AgentKill* that a previous run seeded
 * is reused when it holds exactly 5,000 users.
 */
async function killScope(client: Client, lab: LabFacts): Promise<string> {
  const candidates = await client.search(lab.baseDn, {
    scope: 'one',
    filter: `(&(objectClass=organizationalUnit)(ou=${killScopePrefix}*))`,
    attributes: ['1.1'],
  });
  for (const { dn } of candidates.searchEntries) {
    if ((await userDns(client, dn)).length === killScopeSize) return dn;
  }
  return (await seedUsers(lab, { count: killScopeSize, ou: uniqueName(killScopePrefix) })).ouDn;
}

async function waitForEqualState(
  lab: LabFacts,
  hosted: HostedHarness,
  scopeDn: string,
  what: string,
): Promise<void> {
  let differences: string[] = [];
  try {
    await waitFor(
      async () => {
        differences = stateDifferences(
          await directoryState(lab, scopeDn),
          await hostedState(hosted),
        );
        return differences.length === 0;
      },
      180_000,
      what,
    );
  } catch (error) {
    throw new Error(`${String(error)}:\n${differences.join('\n')}`);
  }
}

describeLab('agent resilience', () => {
  let lab: LabFacts;
  const services: HostedHarness[] = [];
  let admin: Client;
  const createdOus: string[] = [];
  const agents: ReturnType<typeof spawnUserpilot>[] = [];

  /** A service of its own for each test, so one test's objects never meet another's scope. */
  async function startHosted(): Promise<HostedHarness> {
    const started = await HostedHarness.create();
    services.push(started);
    await started.service.domains.register(started.tenantId, lab.mailDomain, system);
    await started.start();
    return started;
  }

  beforeAll(async () => {
    lab = labFacts();
    admin = await adminClient(lab);
  });

  afterAll(async () => {
    for (const agent of agents) await stopChild(agent.child);
    for (const dn of createdOus) await deleteTree(admin, dn);
    await admin?.unbind();
    for (const service of services) await service.close();
  });

  it('delivers 100 changes made while the service was down', async () => {
    const hosted = await startHosted();
    const seeded = await seedUsers(lab, { count: 150, ou: uniqueName('AgentOutage') });
    createdOus.push(seeded.ouDn);
    const outside = await createOu(admin, uniqueName('AgentOutside'), lab.baseDn);
    createdOus.push(outside);
    const inner = await createOu(admin, 'Moved', seeded.ouDn);

    const config = writeAgentConfig({ hosted, lab, scopeDn: seeded.ouDn });
    const agent = spawnUserpilot(['agent', 'run', '--config', config.path], /full read finished/);
    agents.push(agent);
    await agent.ready;
    await waitForEqualState(lab, hosted, seeded.ouDn, 'the initial read to arrive');

    await hosted.stop();
    const dns = await userDns(admin, seeded.ouDn);
    const [edits, renames, moves, deletes, movesOut] = [
      dns.slice(0, 60),
      dns.slice(60, 80),
      dns.slice(80, 95),
      dns.slice(95, 98),
      dns.slice(98, 100),
    ];
    for (const [index, dn] of edits.entries())
      await replaceAttribute(admin, dn, 'title', `Outage edit ${index}`);
    for (const [index, dn] of renames.entries()) {
      const rdn = `CN=Renamed ${index} ${uniqueName('u')}`;
      await admin.modifyDN(dn, `${rdn},${seeded.ouDn}`);
    }
    for (const dn of moves) await admin.modifyDN(dn, `${dn.split(/(?<!\\),/)[0]},${inner}`);
    for (const dn of deletes) await admin.del(dn);
    for (const dn of movesOut) await admin.modifyDN(dn, `${dn.split(/(?<!\\),/)[0]},${outside}`);
    expect(edits.length + renames.length + moves.length + deletes.length + movesOut.length).toBe(
      100,
    );
    await new Promise((resolve) => setTimeout(resolve, outageMs));

    await hosted.start();
    await waitForEqualState(
      lab,
      hosted,
      seeded.ouDn,
      'the changes made during the outage to arrive',
    );
    const removed = await hosted.service.directory.list(hosted.tenantId, {
      state: 'removed',
      limit: 100,
    });
    expect(removed.items.map((object) => object.dn).sort()).toHaveLength(5);
    expect(await hosted.service.removals.listPending(hosted.tenantId)).toEqual([]);
    await stopChild(agent.child);
  }, 600_000);

  it('recovers from kill -9 in the middle of the initial read', async () => {
    const hosted = await startHosted();
    const seeded = { ouDn: await killScope(admin, lab) };
    const config = writeAgentConfig({ hosted, lab, scopeDn: seeded.ouDn, progressSeconds: 0.2 });

    let readAtKill = -1;
    const first = spawnUserpilot(['agent', 'run', '--config', config.path], /full read progress/, {
      onLine: (line) => {
        const match = /"msg":"full read progress"/.test(line) ? /"read":(\d+)/.exec(line) : null;
        const read = Number(match?.[1] ?? -1);
        if (readAtKill === -1 && read > 0 && read < 5000) {
          readAtKill = read;
          first.child.kill('SIGKILL');
        }
      },
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      first.child.once('exit', (_code, signal) => resolve(signal)),
    );
    first.ready.catch(() => undefined);
    expect(await exited).toBe('SIGKILL');
    expect(readAtKill).toBeGreaterThan(0);
    expect(readAtKill).toBeLessThan(5000);

    const second = spawnUserpilot(['agent', 'run', '--config', config.path], /full read finished/);
    agents.push(second);
    await second.ready;
    await waitForEqualState(lab, hosted, seeded.ouDn, 'the scope to arrive after the restart');
    expect(second.output.some((line) => line.includes('a full read was interrupted'))).toBe(true);
    await stopChild(second.child);
  }, 3_600_000);
});
