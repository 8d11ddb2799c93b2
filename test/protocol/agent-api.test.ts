import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import {
  agentRoutes,
  measureClockOffset,
  maxBatchObjects,
  runRoute,
} from '../../src/protocol/agent-api.ts';
import { batchRequestSchema } from '../../src/protocol/batch.ts';
import { directoryUserRecordSchema } from '../../src/protocol/record-schema.ts';
import { recordAttributes } from '../../src/protocol/records.ts';
import { makeRecord } from '../server/support/records.ts';

describe('measureClockOffset', () => {
  const serverNow = new Date('2026-03-01T12:00:00.000Z');

  it.each([
    { agentTime: '2026-03-01T12:00:00.000Z', expected: 0 },
    { agentTime: '2026-03-01T12:05:01Z', expected: 301 },
    { agentTime: '2026-03-01T11:54:59.000Z', expected: -301 },
    { agentTime: '2026-03-01T13:00:00+01:00', expected: 0 },
    { agentTime: '2026-03-01T12:00:00.4Z', expected: 0 },
    { agentTime: '2026-03-01T12:00:00', expected: null },
    { agentTime: 'Sun, 01 Mar 2026 12:00:00 GMT', expected: null },
    { agentTime: '', expected: null },
    { agentTime: '2026-13-45T99:00:00Z', expected: null },
  ])('measures $agentTime as $expected', ({ agentTime, expected }) => {
    expect(measureClockOffset(agentTime, serverNow)).toBe(expected);
  });
});

describe('agent routes', () => {
  it('all sit under the version prefix', () => {
    for (const route of Object.values(agentRoutes)) expect(route).toMatch(/^\/agent\/v1\//);
  });

  it('fills and escapes the run id', () => {
    expect(runRoute(agentRoutes.runBatch, 'a/b')).toBe('/agent/v1/runs/a%2Fb/batches');
  });
});

describe('record schema', () => {
  it('lists exactly the record attributes', () => {
    expect(Object.keys(directoryUserRecordSchema.properties).sort()).toEqual(
      [...recordAttributes].sort(),
    );
  });

  it.each([
    { name: 'a complete record', change: {}, valid: true },
    { name: 'non-ASCII values', change: { displayName: 'Zoë Ñúñez 👩‍💻' }, valid: true },
    {
      name: 'an upper-case anchor',
      change: { anchor: 'ABCDEF01-0000-4000-8000-000000000001' },
      valid: false,
    },
    { name: 'an empty string for null', change: { mail: undefined }, valid: false },
    { name: 'a missing enabled flag', change: { enabled: undefined }, valid: false },
    {
      name: 'a local time for accountExpires',
      change: { accountExpires: 'tomorrow' },
      valid: false,
    },
  ])('checks $name', ({ change, valid }) => {
    const record: Record<string, unknown> = { ...makeRecord(1, 'example.test'), ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete record[key];

    expect(Value.Check(directoryUserRecordSchema, record)).toBe(valid);
  });

  it('bounds a batch at the batch limit', () => {
    const batch = (count: number) => ({
      epoch: 1,
      sequence: 1,
      records: Array.from({ length: count }, (_, index) => makeRecord(index, 'example.test')),
      removals: [],
    });

    expect(Value.Check(batchRequestSchema, batch(maxBatchObjects))).toBe(true);
    expect(Value.Check(batchRequestSchema, batch(maxBatchObjects + 1))).toBe(false);
  });
});
