/**
 * Times a full read of a lab OU by the directory reader (to JSON lines) against a bare paged
 * `ldapsearch -E pr=1000/noprompt` of the same OU asking for the same attributes, in one run.
 *
 *   node --import tsx bench/read-scope.ts [--lab-dir DIR] [--counts 1000,10000] [--runs 3]
 *     [--parallelism 2]
 *
 * Each OU `BenchRead<count>` is seeded once (users without passwords) and reused afterwards.
 * The reader runs in a child process of this script (`--child`) so its peak RSS is its own.
 * Its time is measured inside the child from connect to the last line written. The child's wall
 * time, Node and tsx start-up included, is reported beside it. A benchmark, not a test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { defaultLabDir } from '../src/cli/lab-commands.ts';
import { createLogger } from '../src/core/log.ts';
import { requestedAttributes } from '../src/directory/attribute-map.ts';
import { connectDirectory } from '../src/directory/connection.ts';
import { startScopeRead, userFilter } from '../src/directory/scope-read.ts';
import type { LabFacts } from '../src/lab/facts.ts';
import { labUp } from '../src/lab/lab.ts';
import { seedUsers } from '../src/lab/seed.ts';

interface Timing {
  milliseconds: number;
  lines: number;
}

/** Child mode: one full read to JSON lines on stdout; timing and peak RSS on stderr. */
async function runChild(facts: LabFacts, scopeDn: string, parallelism: number): Promise<void> {
  const started = performance.now();
  const logger = createLogger({ level: 'warn' });
  const options = {
    url: facts.ldapsUrl,
    caFile: facts.caFile,
    bindDn: facts.bindUpn,
    bindPassword: facts.bindPassword,
  };
  const result = await connectDirectory(options, { logger });
  if (!result.ok) throw result.error;
  const read = await startScopeRead(result.connection, { scopeDn, parallelism });
  let lines = 0;
  for await (const page of read.pages) {
    const text = page.records.map((r) => JSON.stringify({ kind: 'record', ...r })).join('\n');
    lines += page.records.length;
    if (!process.stdout.write(`${text}\n`))
      await new Promise((r) => process.stdout.once('drain', r));
  }
  await result.connection.close();
  const milliseconds = performance.now() - started;
  process.stderr.write(
    `${JSON.stringify({ milliseconds, lines, maxRssKb: process.resourceUsage().maxRSS })}\n`,
  );
}

/** Runs a command, counting output lines that start with `prefix`; returns wall time. */
function timed(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<Timing & { stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { env });
    let lines = 0;
    let rest = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line.startsWith(prefix)) lines += 1;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`${command} exited with ${code}: ${stderr}`));
      else resolve({ milliseconds: performance.now() - started, lines, stderr });
    });
  });
}

async function ensureOu(facts: LabFacts, count: number): Promise<string> {
  const name = `BenchRead${count}`;
  const dn = `OU=${name},${facts.baseDn}`;
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
      throw new Error(
        `${dn} holds ${found.searchEntries.length} users, expected ${count}; delete the OU and run again.`,
      );
  } finally {
    await admin.unbind();
  }
  console.error(`seeding ${count} users into ${dn} (about ${Math.ceil(count / 60)} s)`);
  return (await seedUsers(facts, { count, ou: name })).ouDn;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function benchCount(
  facts: LabFacts,
  count: number,
  runs: number,
  passwordFile: string,
  parallelism: number,
): Promise<void> {
  const dn = await ensureOu(facts, count);
  const ldapsearchArgs = [
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
  const ldapEnv = { ...process.env, LDAPTLS_CACERT: facts.caFile };
  const floor: number[] = [];
  const reader: number[] = [];
  const wall: number[] = [];
  let rss = 0;
  for (let run = 0; run < runs; run += 1) {
    const bare = await timed('ldapsearch', ldapsearchArgs, ldapEnv, 'dn:');
    if (bare.lines !== count)
      throw new Error(`ldapsearch returned ${bare.lines} entries, expected ${count}`);
    floor.push(bare.milliseconds);
    const ours = await timed(
      process.execPath,
      [
        '--import',
        'tsx',
        import.meta.filename,
        '--child',
        '--lab-dir',
        facts.dir,
        '--scope',
        dn,
        '--parallelism',
        String(parallelism),
      ],
      process.env,
      '{',
    );
    if (ours.lines !== count)
      throw new Error(`the reader returned ${ours.lines} records, expected ${count}`);
    const report = JSON.parse(ours.stderr.trim().split('\n').at(-1) ?? '{}') as {
      milliseconds: number;
      maxRssKb: number;
    };
    reader.push(report.milliseconds);
    wall.push(ours.milliseconds);
    rss = Math.max(rss, report.maxRssKb);
  }
  const result = {
    users: count,
    runs,
    parallelism,
    ldapsearch_ms: Math.round(median(floor)),
    reader_ms: Math.round(median(reader)),
    reader_wall_ms: Math.round(median(wall)),
    ratio: Number((median(reader) / median(floor)).toFixed(2)),
    ratio_wall: Number((median(wall) / median(floor)).toFixed(2)),
    reader_peak_rss_mb: Math.round(rss / 1024),
  };
  console.log(JSON.stringify(result));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'lab-dir': { type: 'string', default: defaultLabDir() },
      counts: { type: 'string', default: '1000,10000' },
      runs: { type: 'string', default: '3' },
      child: { type: 'boolean', default: false },
      scope: { type: 'string' },
      parallelism: { type: 'string', default: '2' },
    },
  });
  const facts = await labUp({
    dir: values['lab-dir'],
    seed: false,
    log: createLogger({ level: 'warn' }),
  });
  const parallelism = Number(values.parallelism);
  if (values.child) return runChild(facts, values.scope ?? facts.scopeDn, parallelism);

  console.log(
    JSON.stringify({ cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version }),
  );
  const dir = mkdtempSync(join(tmpdir(), 'userpilot-bench-'));
  const passwordFile = join(dir, 'bind-password');
  writeFileSync(passwordFile, facts.bindPassword, { mode: 0o600 });
  try {
    for (const count of values.counts.split(',').map(Number)) {
      await benchCount(facts, count, Number(values.runs), passwordFile, parallelism);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
