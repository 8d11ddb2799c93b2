/**
 * Password propagation latency: from a change on the lab DC to the first accepted mailbox
 * sign-in with the new password on the hosted side, over N changes (default 50). Changes
 * alternate between a user's own change over LDAPS and a reset by `samba-tool user
 * setpassword`. The start of each measurement is the change's pwdLastSet as the DC recorded
 * it, and the end is the 200 response of POST /mailbox/v1/signin, both on this machine's clock.
 * The agent polls the privileged socket every 0.5 s (the bench setting; the default is 1 s).
 *
 *   npx tsx bench/password-latency.ts [--changes 50] [--lab-dir .data/test-lab]
 *
 * Uses the running lab (starting it when needed), a real service on SQLite with argon2id at
 * its defaults, and the real agent capture and delivery, all on loopback.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { labUp } from '../src/lab/lab.ts';
import { labDirForTests } from '../test/support/lab-setup.ts';
import {
  harnessDir,
  linkMailboxes,
  signIn,
  startAgentSide,
  startServiceSide,
  waitFor,
} from '../test/password/support/harness.ts';
import {
  changeOwnPassword,
  createLabUser,
  deleteLabUsers,
  resetWithSambaTool,
} from '../test/password/support/lab-users.ts';

const { values } = parseArgs({
  options: {
    changes: { type: 'string', default: '50' },
    'lab-dir': { type: 'string', default: labDirForTests() },
  },
});
const changes = Number(values.changes);

function newPassword(): string {
  return `Pw-${randomBytes(9).toString('base64url')}-7a`;
}

function percentile(sorted: readonly number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

const facts = await labUp({ dir: values['lab-dir'] });
const folder = harnessDir();
const hosted = await startServiceSide(folder.dir, facts);
const agent = await startAgentSide(folder.dir, facts, hosted);
agent.start();
await new Promise((resolve) => setTimeout(resolve, 1500));

let password = newPassword();
const user = await createLabUser(facts, password);
await linkMailboxes(hosted, agent.agentId, [user]);
const latencies: number[] = [];
try {
  for (let i = 0; i < changes; i += 1) {
    const before = await hosted.service.passwords.status(hosted.tenantId, user.anchor);
    const since = before.synchronized ? before.pwdLastSet : '';
    const fresh = newPassword();
    if (i % 2 === 0) await changeOwnPassword(facts, user, password, fresh);
    else await resetWithSambaTool(facts, user, fresh);
    password = fresh;

    let changedAt = '';
    const arrived = await waitFor(async () => {
      const status = await hosted.service.passwords.status(hosted.tenantId, user.anchor);
      if (!status.synchronized || status.pwdLastSet <= since) return false;
      changedAt = status.pwdLastSet;
      return (await signIn(hosted, user.upn, fresh)) === 200;
    });
    if (!arrived) throw new Error(`change ${i + 1} did not arrive within 60 s`);
    latencies.push(Date.now() - Date.parse(changedAt));
  }
} finally {
  await agent.stop();
  await hosted.stopServer();
  await hosted.store.close();
  await deleteLabUsers(facts, [user]);
  folder.remove();
}

const sorted = [...latencies].sort((a, b) => a - b);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  JSON.stringify({
    changes: latencies.length,
    p50_ms: percentile(sorted, 0.5),
    p95_ms: percentile(sorted, 0.95),
    max_ms: sorted.at(-1),
    min_ms: sorted[0],
    machine: `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM`,
  }),
);
