/**
 * Times the initial synchronization of a lab OU, from the start of `userpilot agent run` until
 * the hosted store holds every user, against a bare paged `ldapsearch -E pr=1000/noprompt` of the
 * same OU asking for the same attributes, in the same run. Reports peak RSS of the agent and the
 * service processes.
 *
 *   npx tsx bench/initial-sync.ts [--lab-dir DIR] [--users 10000]
 *
 * The OU `BenchRead<users>` is seeded once (users without passwords) and reused afterwards; it
 * is the same OU bench/read-scope.ts uses. A benchmark, not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { readFileSync } from 'node:fs';
import { defaultLabDir } from '../src/cli/lab-commands.ts';
import { requestedAttributes } from '../src/directory/attribute-map.ts';
import { userFilter } from '../src/directory/scope-read.ts';
import type { LabFacts } from '../src/lab/facts.ts';
import { labUp } from '../src/lab/lab.ts';
import { seedUsers } from '../src/lab/seed.ts';
import {
  peakRssMiB,
  spawnUserpilot,
  startBenchService,
  stopChild,
  writeBenchAgentConfig,
} from './agent-bench.ts';

async function ensureOu(facts: LabFacts, count: number): Promise<string> {
  const dn = `OU=BenchRead${count},${facts.baseDn}`;
  const admin = new Client({
    url: facts.ldapsUrl,
    tlsOptions: { ca: [readFileSync(facts.caFile)] },
  });
  await admin.bind(facts.adminUpn, facts.adminPassword);
  try {
    const found = await admin
      .search(dn, {
        scope: 'sub',
        filter: userFilter,
        attributes: ['1.1'],
        paged: { pageSize: 1000 },
      })
      .catch(() => undefined);
    if (found?.searchEntries.length === count) return dn;
    if (found !== undefined)
      throw new Error(`${dn} holds ${found.searchEntries.length} users, expected ${count}.`);
  } finally {
    await admin.unbind();
  }
  console.error(`seeding ${count} users into ${dn}`);
  return (await seedUsers(facts, { count, ou: `BenchRead${count}` })).ouDn;
}

function timeLdapsearch(facts: LabFacts, dn: string): number {
  const passwordFile = join(mkdtempSync(join(tmpdir(), 'up-bench-')), 'bind-password');
  writeFileSync(passwordFile, facts.bindPassword, { mode: 0o600 });
  const args = [
    '-LLL',
    '-H',
    facts.ldapsUrl,
    '-x',
    '-D',
    facts.bindUpn,
    '-y',
    passwordFile,
    '-b',
    dn,
    '-s',
    'sub',
    '-E',
    'pr=1000/noprompt',
    userFilter,
    ...requestedAttributes,
  ];
  const started = performance.now();
  const result = spawnSync('ldapsearch', args, {
    env: { ...process.env, LDAPTLS_CACERT: facts.caFile },
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`ldapsearch failed: ${result.stderr.toString()}`);
  return performance.now() - started;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'lab-dir': { type: 'string' }, users: { type: 'string', default: '10000' } },
  });
  const users = Number(values.users);
  const facts = await labUp({ dir: values['lab-dir'] ?? defaultLabDir(), seed: true });
  const dn = await ensureOu(facts, users);

  const floorMs = timeLdapsearch(facts, dn);
  const hosted = await startBenchService(facts);
  const config = writeBenchAgentConfig(facts, hosted, dn);
  const started = performance.now();
  const agent = await spawnUserpilot(['agent', 'run', '--config', config], /agent started/);
  let count = 0;
  while (count < users) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await hosted.service.directory.count(hosted.init.tenant.id);
  }
  const syncMs = performance.now() - started;
  const agentRss = peakRssMiB(agent.pid);
  const serviceRss = peakRssMiB(hosted.child.pid);
  await stopChild(agent);
  await hosted.close();

  const result = {
    users,
    ldapsearchSeconds: +(floorMs / 1000).toFixed(2),
    initialSyncSeconds: +(syncMs / 1000).toFixed(2),
    ratio: +(syncMs / floorMs).toFixed(2),
    agentPeakRssMiB: agentRss,
    servicePeakRssMiB: serviceRss,
  };
  console.log(JSON.stringify(result));
}

await main();
