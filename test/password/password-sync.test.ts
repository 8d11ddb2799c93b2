import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeDiagnostics } from '../../src/agent/diagnostics.ts';
import type { ApiResult } from '../../src/agent/service-client.ts';
import { stateDbFileName } from '../../src/agent/state-db.ts';
import type { LabFacts } from '../../src/lab/facts.ts';
import type { PasswordDeliveryResponse } from '../../src/protocol/passwords.ts';
import { describeLab, labFacts } from '../support/lab.ts';
import {
  harnessDir,
  linkMailboxes,
  signIn,
  startAgentSide,
  startServiceSide,
  waitFor,
  type AgentSide,
  type ServiceSide,
} from './support/harness.ts';
import {
  changeOwnPassword,
  createLabUser,
  deleteLabUsers,
  newPassword,
  readPwdLastSet,
  resetWithSambaTool,
  type LabUser,
} from './support/lab-users.ts';
import { findPasswords } from './support/password-encodings.ts';

const nonAsciiPassword = 'Garçon-2024';

describeLab('password synchronization with the lab DC', () => {
  let facts: LabFacts;
  let folder: ReturnType<typeof harnessDir>;
  let hosted: ServiceSide;
  let agent: AgentSide;
  const issued: string[] = [nonAsciiPassword];
  const users: LabUser[] = [];
  let before: { user: LabUser; password: string };
  // The first agent holds the directory lease; a restarted agent only forwards passwords.
  let directoryAgentId: string;

  async function newLinkedUser(): Promise<{ user: LabUser; password: string }> {
    const password = newPassword(issued);
    const user = await createLabUser(facts, password);
    users.push(user);
    await linkMailboxes(hosted, directoryAgentId, [user]);
    // The password given at creation is captured too; wait for it, so a later check for a
    // newer password cannot be satisfied by this one.
    if (!(await waitForNewerPassword(user, undefined))) {
      throw new Error(`the creation password of ${user.sAMAccountName} never arrived`);
    }
    return { user, password };
  }

  /** Waits until the service stores a password for the user newer than `since` (ISO). */
  async function waitForNewerPassword(user: LabUser, since: string | undefined): Promise<boolean> {
    return waitFor(async () => {
      const status = await hosted.service.passwords.status(hosted.tenantId, user.anchor);
      return status.synchronized && (since === undefined || status.pwdLastSet > since);
    });
  }

  async function storedPwdLastSet(user: LabUser): Promise<string | undefined> {
    const status = await hosted.service.passwords.status(hosted.tenantId, user.anchor);
    return status.synchronized ? status.pwdLastSet : undefined;
  }

  beforeAll(async () => {
    facts = labFacts();
    folder = harnessDir();
    hosted = await startServiceSide(folder.dir, facts);
    agent = await startAgentSide(folder.dir, facts, hosted);
    directoryAgentId = agent.agentId;
    // Created before capture starts: its password can never be captured.
    const password = newPassword(issued);
    before = { user: await createLabUser(facts, password), password };
    users.push(before.user);
    await linkMailboxes(hosted, directoryAgentId, [before.user]);
    agent.start();
    // The first poll only sets the starting point; give it time to run.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  afterAll(async () => {
    await agent?.stop();
    await hosted?.stopServer();
    await hosted?.store.close();
    if (facts !== undefined) await deleteLabUsers(facts, users);
    folder?.remove();
  });

  it('shows a password set before capture as not synchronized', async () => {
    const status = await hosted.service.passwords.status(hosted.tenantId, before.user.anchor);
    expect(status.synchronized).toBe(false);
    const result = await hosted.service.passwords.verifySignIn(before.user.upn, before.password);
    expect(result).toEqual({ ok: false, reason: 'password-not-synchronized' });
  });

  it('signs in with a reset made by samba-tool', async () => {
    const { user, password: old } = await newLinkedUser();
    const since = await storedPwdLastSet(user);
    const fresh = newPassword(issued);
    await resetWithSambaTool(facts, user, fresh);

    expect(await waitForNewerPassword(user, since)).toBe(true);
    expect(await signIn(hosted, user.upn, fresh)).toBe(200);
    expect(await signIn(hosted, user.upn, old)).toBe(401);
  });

  it("signs in with the user's own change over LDAPS", async () => {
    const { user, password: old } = await newLinkedUser();
    const since = await storedPwdLastSet(user);
    const fresh = newPassword(issued);
    await changeOwnPassword(facts, user, old, fresh);

    expect(await waitForNewerPassword(user, since)).toBe(true);
    expect(await signIn(hosted, user.upn, fresh)).toBe(200);
    expect(await signIn(hosted, user.upn, old)).toBe(401);
  });

  it('carries a non-ASCII password end to end', async () => {
    const { user, password: old } = await newLinkedUser();
    const since = await storedPwdLastSet(user);
    await changeOwnPassword(facts, user, old, nonAsciiPassword);

    expect(await waitForNewerPassword(user, since)).toBe(true);
    expect(await signIn(hosted, user.upn, nonAsciiPassword)).toBe(200);
    expect(await signIn(hosted, user.upn, 'Garcon-2024')).toBe(401);
  });

  it('keeps the newer of two deliveries sent out of order', async () => {
    const { user } = await newLinkedUser();
    const newer = newPassword(issued);
    const older = newPassword(issued);
    // Both are newer than the password the user was created with, and within the five minutes
    // ahead of the service clock that the service accepts.
    const inTwoMinutes = new Date(Date.now() + 120_000).toISOString();
    const inOneMinute = new Date(Date.now() + 60_000).toISOString();

    const first = await agent.client.submitPasswords({
      deliveries: [{ id: 'newer', anchor: user.anchor, password: newer, pwdLastSet: inTwoMinutes }],
    });
    const second = await agent.client.submitPasswords({
      deliveries: [{ id: 'older', anchor: user.anchor, password: older, pwdLastSet: inOneMinute }],
    });

    expect(verdictOf(first)).toBe('stored');
    expect(verdictOf(second)).toBe('stale');
    expect(await signIn(hosted, user.upn, newer)).toBe(200);
    expect(await signIn(hosted, user.upn, older)).toBe(401);
  });

  it('delivers a change made while the service was down', async () => {
    const { user, password: old } = await newLinkedUser();
    const since = await storedPwdLastSet(user);
    await hosted.stopServer();
    const fresh = newPassword(issued);
    await resetWithSambaTool(facts, user, fresh);

    const queued = await waitFor(() => Promise.resolve(agent.outbox.queueDepth().password > 0));
    expect(queued).toBe(true);
    expect(agentFileLeaks(agent, [old, fresh])).toEqual([]);

    await hosted.startServer();
    expect(await waitForNewerPassword(user, since)).toBe(true);
    expect(await signIn(hosted, user.upn, fresh)).toBe(200);
    expect(agent.outbox.queueDepth().password).toBe(0);
    expect(agentFileLeaks(agent, [old, fresh])).toEqual([]);
  });

  it('delivers only the newest change made while stopped', async () => {
    const { user, password: old } = await newLinkedUser();
    const since = await storedPwdLastSet(user);
    await agent.stop();
    const middle = newPassword(issued);
    const last = newPassword(issued);
    await resetWithSambaTool(facts, user, middle);
    await resetWithSambaTool(facts, user, last);
    const changedAt = await readPwdLastSet(facts, user);

    // The restarted agent resumes from the cursor in its state folder.
    agent = await startAgentSide(folder.dir, facts, hosted);
    agent.start();
    expect(await waitForNewerPassword(user, since)).toBe(true);
    expect(await storedPwdLastSet(user)).toBe(changedAt);
    expect(await signIn(hosted, user.upn, last)).toBe(200);
    expect(await signIn(hosted, user.upn, middle)).toBe(401);
    expect(await signIn(hosted, user.upn, old)).toBe(401);
  });

  it('records a too short password as a policy event', async () => {
    const { user, password: old } = await newLinkedUser();
    // Seven characters: Samba's minimum, one below the tenant's default of eight.
    const short = `A1-${randomBytes(2).toString('hex')}`;
    issued.push(short);
    await resetWithSambaTool(facts, user, short);

    const recorded = await waitFor(async () => {
      const page = await hosted.service.activity.list(hosted.tenantId, { objectId: user.anchor });
      return page.items.some((entry) => entry.action === 'password.policy-violation');
    });
    expect(recorded).toBe(true);
    expect(await signIn(hosted, user.upn, short)).toBe(401);
    expect(await signIn(hosted, user.upn, old)).toBe(200);
    expect(await waitFor(() => Promise.resolve(agent.outbox.queueDepth().password === 0))).toBe(
      true,
    );
  });

  it('leaves no test password in logs or diagnostics', async () => {
    // Flushes the debug lines of the sign-ins and deliveries above.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logs = {
      agent: agent.logFile,
      service: hosted.logFile,
      samba: facts.logFile,
    };
    for (const [name, file] of Object.entries(logs)) {
      expect(existsSync(file), `${name} log ${file} exists`).toBe(true);
      expect(findPasswords(readFileSync(file), issued), `${name} log`).toEqual([]);
    }
    expect(readFileSync(agent.logFile, 'utf8')).toContain('password changes captured');

    const activity = await hosted.service.activity.list(hosted.tenantId, { limit: 500 });
    expect(activity.items.length).toBeGreaterThan(0);
    expect(findPasswords(JSON.stringify(activity.items), issued), 'activity log').toEqual([]);

    const archive = join(folder.dir, 'diagnostics.tar.gz');
    await writeDiagnostics({ configPath: agent.configPath, output: archive });
    const unpacked = join(folder.dir, 'diagnostics');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    const archived = readdirSync(unpacked, { recursive: true, encoding: 'utf8' });
    expect(archived).toContain('agent.log');
    for (const name of archived) {
      const file = join(unpacked, name);
      if (!statSync(file).isFile()) continue;
      expect(findPasswords(readFileSync(file), issued), `diagnostics ${name}`).toEqual([]);
    }
  });
});

/** The verdict on the only delivery of a request, or the rejection's code. */
function verdictOf(result: ApiResult<PasswordDeliveryResponse>): string | undefined {
  return result.ok ? result.value.results[0]?.status : result.code;
}

/** Searches every file the agent writes in its state folder (the database, -wal, -shm). */
function agentFileLeaks(agent: AgentSide, passwords: string[]): string[] {
  const base = join(agent.stateDir, stateDbFileName);
  const files = [base, `${base}-wal`, `${base}-shm`, join(agent.stateDir, 'password-outbox.key')];
  return files
    .filter((file) => existsSync(file))
    .flatMap((file) =>
      findPasswords(readFileSync(file), passwords).map((hit) => `${file}: ${hit}`),
    );
}
