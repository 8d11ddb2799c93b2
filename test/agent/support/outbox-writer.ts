// Child process of the outbox crash test: writes pages of a full read forever and prints
// `committed N` after each commit, until the parent kills it.
import { systemClock } from '../../../src/core/clock.ts';
import { Outbox } from '../../../src/agent/outbox.ts';
import { openStateDatabase } from '../../../src/agent/state-db.ts';
import { testRecord } from './records.ts';

const [stateDir, pageSizeText] = process.argv.slice(2);
if (stateDir === undefined || pageSizeText === undefined)
  throw new Error('usage: STATE_DIR PAGE_SIZE');
const pageSize = Number(pageSizeText);
const outbox = new Outbox(openStateDatabase(stateDir), systemClock);
const runId = outbox.beginFullRun();
for (let page = 0; ; page += 1) {
  const records = Array.from({ length: pageSize }, (_, i) => testRecord(page * pageSize + i));
  outbox.addFullReadPage(runId, records);
  process.stdout.write(`committed ${(page + 1) * pageSize}\n`);
}
