/**
 * Measures how long an edit in the lab takes to reach the hosted store with the agent running
 * and no command run: over N edits of the title of users in the lab's Staff OU, one after
 * another, from the moment the LDAP modify returned to the moment the service's store holds the
 * new value (checked every 50 ms). Reports p50 and p95.
 *
 *   npx tsx bench/delta-latency.ts [--lab-dir DIR] [--edits 100]
 *
 * The agent runs with its default USN poll interval (3 s), which bounds most of the latency.
 * A benchmark, not a test.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';
import { defaultLabDir } from '../src/cli/lab-commands.ts';
import { labUp } from '../src/lab/lab.ts';
import {
  percentile,
  spawnUserpilot,
  startBenchService,
  stopChild,
  writeBenchAgentConfig,
} from './agent-bench.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'lab-dir': { type: 'string' }, edits: { type: 'string', default: '100' } },
  });
  const edits = Number(values.edits);
  const facts = await labUp({ dir: values['lab-dir'] ?? defaultLabDir(), seed: true });
  const hosted = await startBenchService(facts);
  const tenantId = hosted.init.tenant.id;
  const agent = await spawnUserpilot(
    ['agent', 'run', '--config', writeBenchAgentConfig(facts, hosted, facts.scopeDn)],
    /full read finished/,
  );
  const admin = new Client({
    url: facts.ldapsUrl,
    tlsOptions: { ca: [readFileSync(facts.caFile)] },
  });
  await admin.bind(facts.adminUpn, facts.adminPassword);

  // Wait until the first full run is on the hosted side, so only deltas are measured.
  let objects = await hosted.service.directory.list(tenantId, { limit: 500 });
  while (objects.total === 0 || objects.items.length < objects.total) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    objects = await hosted.service.directory.list(tenantId, { limit: 500 });
  }
  await new Promise((resolve) => setTimeout(resolve, 5000));
  const targets = objects.items.filter((object) => object.eligible);
  const originals = new Map(targets.map((object) => [object.anchor, object.record.title]));

  const latencies: number[] = [];
  try {
    for (let index = 0; index < edits; index += 1) {
      const target = targets[index % targets.length];
      if (target === undefined) throw new Error('no eligible user in the scope');
      const title = `Bench edit ${index} ${Date.now()}`;
      await admin.modify(
        target.dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'title', values: [title] }),
        }),
      );
      const changed = performance.now();
      for (;;) {
        const current = await hosted.service.directory.get(tenantId, target.anchor);
        if (current?.record.title === title) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      latencies.push(performance.now() - changed);
    }
  } finally {
    for (const target of targets.slice(0, edits)) {
      const original = originals.get(target.anchor);
      const change =
        original === null || original === undefined
          ? new Change({
              operation: 'delete',
              modification: new Attribute({ type: 'title', values: [] }),
            })
          : new Change({
              operation: 'replace',
              modification: new Attribute({ type: 'title', values: [original] }),
            });
      await admin.modify(target.dn, change).catch(() => undefined);
    }
    await admin.unbind();
    await stopChild(agent);
    await hosted.close();
  }
  const seconds = (value: number) => +(value / 1000).toFixed(2);
  console.log(
    JSON.stringify({
      edits,
      p50Seconds: seconds(percentile(latencies, 0.5)),
      p95Seconds: seconds(percentile(latencies, 0.95)),
      minSeconds: seconds(Math.min(...latencies)),
      maxSeconds: seconds(Math.max(...latencies)),
    }),
  );
}

await main();
