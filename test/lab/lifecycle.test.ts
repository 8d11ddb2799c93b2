import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { restoreLab, saveLab } from '../../src/lab/archive.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import { labDown, labStatus, labUp } from '../../src/lab/lab.ts';
import { namespaceExists } from '../../src/lab/namespace.ts';
import { seedUsers } from '../../src/lab/seed.ts';
import { isUserPilotError } from '../../src/protocol/errors.ts';
import { describeLab } from '../support/lab.ts';
import { withBoundClient } from './ldap-client.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const slow = 900_000;

/** Runs `userpilot lab up --json` in a child process and parses the facts it prints. */
async function cliUp(dir: string): Promise<LabFacts> {
  const { stdout } = await run(
    process.execPath,
    [join(root, 'bin', 'userpilot.js'), 'lab', 'up', '--json', '--dir', dir],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as LabFacts;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function labPids(facts: LabFacts): number[] {
  return [facts.sambaPid, ...(facts.relayPids ?? [])].filter(
    (pid): pid is number => pid !== undefined,
  );
}

async function countUsers(facts: LabFacts, base: string): Promise<number> {
  return withBoundClient(facts, facts.bindUpn, facts.bindPassword, async (client) => {
    const result = await client.search(base, {
      filter: '(&(objectClass=user)(userAccountControl=512))',
      paged: { pageSize: 10 },
      attributes: ['sAMAccountName'],
    });
    return result.searchEntries.length;
  });
}

// A lab of its own in a temporary folder: these tests stop and start it, which the shared test
// lab must not see. Its ports derive from the folder, so they differ from the shared lab's.
describeLab('lab lifecycle', () => {
  let parent: string;
  let dir: string;
  let facts: LabFacts;

  beforeAll(() => {
    parent = mkdtempSync(join(tmpdir(), 'userpilot-lab-'));
    dir = join(parent, 'a');
  });

  afterAll(async () => {
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (entry.isDirectory()) await labDown({ dir: join(parent, entry.name), purge: true });
    }
    rmSync(parent, { recursive: true, force: true });
  }, slow);

  it(
    'cleans a half-provisioned folder and starts one Samba for two concurrent ups',
    async () => {
      mkdirSync(join(dir, 'samba'), { recursive: true });
      writeFileSync(join(dir, 'samba', 'leftover'), 'from an interrupted provisioning\n');

      const [first, second] = await Promise.all([cliUp(dir), cliUp(dir)]);
      expect(second).toEqual(first);
      expect(first.sambaPid).toBeDefined();
      expect(first.seeded).toBe(true);
      expect(existsSync(join(dir, 'samba', 'leftover'))).toBe(false);
      facts = first;
    },
    slow,
  );

  it(
    'changes nothing when up runs again',
    async () => {
      const again = await cliUp(dir);
      expect(again).toEqual(facts);
      expect(labStatus(dir).state).toBe('running');
    },
    slow,
  );

  it(
    'seeds synthetic enabled users into their own OU',
    async () => {
      const result = await seedUsers(facts, { count: 30, ou: 'Bench' });
      expect(result.ouDn).toBe(`OU=Bench,${facts.baseDn}`);
      expect(result.count).toBe(30);
      expect(await countUsers(facts, result.ouDn)).toBe(30);
    },
    slow,
  );

  it(
    'rejects seeding into an OU that exists',
    async () => {
      await expect(seedUsers(facts, { count: 1, ou: 'Bench' })).rejects.toSatisfy((error) =>
        isUserPilotError(error, 'UP_LAB_SEED_FAILED'),
      );
    },
    slow,
  );

  it(
    'leaves no process and no namespace after down',
    async () => {
      const pids = labPids(facts);
      expect(pids).toHaveLength(3);
      await labDown({ dir });
      for (const pid of pids) expect(isAlive(pid), `PID ${pid}`).toBe(false);
      expect(namespaceExists(facts.namespace)).toBe(false);
      expect(labStatus(dir).state).toBe('stopped');
    },
    slow,
  );

  it('rejects seeding a stopped lab with UP_LAB_NOT_RUNNING', async () => {
    const error: unknown = await seedUsers(facts, { count: 1, ou: 'Late' }).catch(
      (caught: unknown) => caught,
    );
    expect(isUserPilotError(error, 'UP_LAB_NOT_RUNNING')).toBe(true);
  });

  it(
    'reports a taken port as UP_LAB_PORT_IN_USE before starting Samba',
    async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(facts.ldapsPort, '127.0.0.1', resolve));
      try {
        const error: unknown = await labUp({ dir, seed: false }).catch((caught: unknown) => caught);
        expect(isUserPilotError(error, 'UP_LAB_PORT_IN_USE')).toBe(true);
        expect((error as Error).message).toContain(String(facts.ldapsPort));
        expect(labStatus(dir).state).toBe('stopped');
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    },
    slow,
  );

  it(
    'restores a saved lab into another folder',
    async () => {
      const archive = join(parent, 'lab.tar.gz');
      await saveLab(dir, archive);
      const copy = join(parent, 'b');
      await restoreLab(copy, archive);
      const restored = await labUp({ dir: copy, seed: false });
      expect(restored.dir).toBe(copy);
      expect(restored.ldapsPort).not.toBe(facts.ldapsPort);
      expect(restored.adminPassword).toBe(facts.adminPassword);
      expect(await countUsers(restored, `OU=Bench,${restored.baseDn}`)).toBe(30);
      await labDown({ dir: copy, purge: true });
      expect(existsSync(copy)).toBe(false);
    },
    slow,
  );

  it(
    'reports a folder with lab.json but no domain as UP_LAB_BROKEN',
    async () => {
      const broken = join(parent, 'c');
      mkdirSync(broken);
      writeFileSync(join(broken, 'lab.json'), '{"version":1}\n');
      const error: unknown = await labUp({ dir: broken }).catch((caught: unknown) => caught);
      expect(isUserPilotError(error, 'UP_LAB_BROKEN')).toBe(true);
    },
    slow,
  );
});
