import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { Outbox, watermarkKey } from '../../src/agent/outbox.ts';
import { openStateDatabase, readMeta } from '../../src/agent/state-db.ts';
import { testAnchor, testRecord } from './support/records.ts';

function openOutbox(stateDir = mkdtempSync(join(tmpdir(), 'up-outbox-'))) {
  const db = openStateDatabase(stateDir);
  return { db, stateDir, outbox: new Outbox(db, new ManualClock()) };
}

function fullRead(
  outbox: Outbox,
  records: ReturnType<typeof testRecord>[],
  watermark: unknown = { usn: 1 },
) {
  const runId = outbox.beginFullRun();
  const queued = outbox.addFullReadPage(runId, records);
  const left = outbox.endFullRead(runId, true, watermark);
  return { runId, queued, left };
}

/** Sends every queued batch of the run as if the service accepted it, and ends the run. */
function drainRun(outbox: Outbox, runId: number): number {
  let sequence = 1;
  let sent = 0;
  for (;;) {
    const batch = outbox.assignBatch(runId, sequence, 1000);
    if (batch.length === 0) break;
    outbox.confirmBatch(
      runId,
      sequence,
      batch.map((message) => ({ anchor: message.anchor, status: 'updated' as const })),
    );
    sent += batch.length;
    sequence += 1;
  }
  outbox.finishRun(runId, 'complete', 0, 0);
  return sent;
}

describe('outbox diff base', () => {
  it('skips unchanged objects on the next full read', () => {
    const { outbox } = openOutbox();
    const records = [testRecord(1), testRecord(2), testRecord(3)];
    const first = fullRead(outbox, records);
    expect(first.queued).toBe(3);
    drainRun(outbox, first.runId);

    const second = fullRead(outbox, [
      testRecord(1),
      testRecord(2, { title: 'Boss' }),
      testRecord(3),
    ]);
    expect(second.queued).toBe(1);
    expect(outbox.assignBatch(second.runId, 1, 1000).map((m) => m.anchor)).toEqual([testAnchor(2)]);
  });

  it('treats an object missing from a complete read as gone', () => {
    const { outbox } = openOutbox();
    drainRun(outbox, fullRead(outbox, [testRecord(1), testRecord(2)]).runId);

    const second = fullRead(outbox, [testRecord(1)]);
    expect(second.left).toEqual([testAnchor(2)]);
    expect(outbox.sentAnchors()).toEqual([testAnchor(1)]);
    drainRun(outbox, second.runId);

    const back = fullRead(outbox, [testRecord(1), testRecord(2)]);
    expect(back.queued).toBe(1);
  });

  it('keeps the diff base after an incomplete read', () => {
    const { outbox } = openOutbox();
    drainRun(outbox, fullRead(outbox, [testRecord(1), testRecord(2)]).runId);
    const runId = outbox.beginFullRun();
    outbox.addFullReadPage(runId, [testRecord(1)]);
    expect(outbox.endFullRead(runId, false, { usn: 9 })).toEqual([]);
    expect(outbox.sentAnchors()).toHaveLength(2);
  });

  it('queues delta removals and forgets their state', () => {
    const { outbox, db } = openOutbox();
    drainRun(outbox, fullRead(outbox, [testRecord(1), testRecord(2)]).runId);
    const runId = outbox.enqueueDelta(
      [
        { kind: 'upsert', record: testRecord(1) },
        { kind: 'removal', anchor: testAnchor(2), reason: 'moved-out' },
      ],
      { usn: 5 },
    );
    expect(runId).not.toBeNull();
    const batch = outbox.assignBatch(runId ?? 0, 1, 1000);
    expect(batch.map((m) => m.kind)).toEqual(['removal']);
    expect(outbox.sentAnchors()).toEqual([testAnchor(1)]);
    expect(readMeta(db, watermarkKey)).toEqual({ usn: 5 });
  });

  it('advances the watermark of an empty delta', () => {
    const { outbox, db } = openOutbox();
    drainRun(outbox, fullRead(outbox, [testRecord(1)]).runId);
    expect(outbox.enqueueDelta([{ kind: 'upsert', record: testRecord(1) }], { usn: 7 })).toBeNull();
    expect(readMeta(db, watermarkKey)).toEqual({ usn: 7 });
    expect(outbox.nextRunToSend()).toBeUndefined();
  });

  it('resends a rejected object at the next full read', () => {
    const { outbox } = openOutbox();
    const { runId } = fullRead(outbox, [testRecord(1), testRecord(2)]);
    const batch = outbox.assignBatch(runId, 1, 1000);
    outbox.confirmBatch(runId, 1, [
      { anchor: testAnchor(1), status: 'created' },
      { anchor: testAnchor(2), status: 'rejected', code: 'X', attribute: 'mail', message: 'bad' },
    ]);
    expect(batch).toHaveLength(2);
    outbox.finishRun(runId, 'complete', 0, 0);
    expect(outbox.lastEndedRun()?.result).toMatchObject({ created: 1, rejected: 1 });
    expect(fullRead(outbox, [testRecord(1), testRecord(2)]).queued).toBe(1);
  });
});

describe('outbox batches', () => {
  it('keeps per-object order across runs', () => {
    const { outbox } = openOutbox();
    const full = fullRead(outbox, [testRecord(1)]);
    const delta = outbox.enqueueDelta(
      [{ kind: 'upsert', record: testRecord(1, { title: 'A' }) }],
      {},
    );
    expect(outbox.nextRunToSend()?.id).toBe(full.runId);
    drainRun(outbox, full.runId);
    expect(outbox.nextRunToSend()?.id).toBe(delta);
  });

  it('resends the same messages for an unconfirmed batch', () => {
    const { outbox } = openOutbox();
    const runId = outbox.beginFullRun();
    outbox.addFullReadPage(runId, [testRecord(1), testRecord(2)]);
    const first = outbox.assignBatch(runId, 1, 1000);
    outbox.addFullReadPage(runId, [testRecord(3)]);
    const again = outbox.assignBatch(runId, 1, 1000);
    expect(again.map((m) => m.seq)).toEqual(first.map((m) => m.seq));
    outbox.confirmBatch(runId, 1, []);
    expect(outbox.assignBatch(runId, 2, 1000).map((m) => m.anchor)).toEqual([testAnchor(3)]);
  });

  it('splits batches at the limit', () => {
    const { outbox } = openOutbox();
    const { runId } = fullRead(
      outbox,
      Array.from({ length: 2500 }, (_, i) => testRecord(i)),
    );
    expect(drainRun(outbox, runId)).toBe(2500);
    expect(outbox.queueDepth()).toEqual({ upsert: 0, removal: 0, password: 0 });
  });

  it('keeps password deliveries apart from runs', () => {
    const { outbox } = openOutbox();
    const seq = outbox.enqueuePassword(testAnchor(1), 'sealed-bytes');
    expect(outbox.nextRunToSend()).toBeUndefined();
    expect(outbox.pendingPasswords(10)).toMatchObject([
      { kind: 'password', sealed: 'sealed-bytes' },
    ]);
    outbox.acknowledge([seq]);
    expect(outbox.queueDepth().password).toBe(0);
  });

  it('drops queued directory state on reset', () => {
    const { outbox } = openOutbox();
    fullRead(outbox, [testRecord(1)]);
    outbox.enqueuePassword(testAnchor(1), 'sealed');
    outbox.resetDirectoryState();
    expect(outbox.queueDepth()).toEqual({ upsert: 0, removal: 0, password: 1 });
    expect(outbox.sentAnchors()).toEqual([]);
    expect(outbox.nextRunToSend()).toBeUndefined();
  });
});

describe('outbox after kill -9', () => {
  it('keeps every committed page', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'up-outbox-kill-'));
    const pageSize = 200;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'support', 'outbox-writer.ts'),
        stateDir,
        String(pageSize),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let committed = 0;
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    for await (const line of createInterface({ input: child.stdout })) {
      committed = Number(line.split(' ')[1]);
      // Kill in the middle of the writes, after several pages have committed.
      if (committed >= pageSize * 8) {
        child.kill('SIGKILL');
        break;
      }
    }
    expect(await exited).toBe('SIGKILL');

    const { db, outbox } = openOutbox(stateDir);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const stored = outbox.sentAnchors().length;
    expect(stored).toBeGreaterThanOrEqual(committed);
    expect(stored % pageSize).toBe(0);
    expect(outbox.queueDepth().upsert).toBe(stored);

    expect(outbox.recoverInterruptedReads()).toBe(1);
    const run = outbox.nextRunToSend();
    expect(run).toMatchObject({
      kind: 'delta',
      status: 'queued',
      readComplete: false,
      manifestCount: 0,
    });
    expect(
      fullRead(
        outbox,
        Array.from({ length: stored }, (_, i) => testRecord(i)),
      ).queued,
    ).toBe(0);
  });
});
