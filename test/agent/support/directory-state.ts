import { startScopeRead } from '../../../src/directory/scope-read.ts';
import type { LabFacts } from '../../../src/lab/facts.ts';
import { canonicalRecordJson } from '../../../src/agent/record-digest.ts';
import {
  connectAsSyncAccount,
  memoryLogger,
  readAllRecords,
} from '../../directory/lab-directory.ts';
import { hostedObjects, type HostedHarness } from './e2e.ts';

/** The scope as the DC holds it now: canonical record JSON by anchor. */
export async function directoryState(lab: LabFacts, scopeDn: string): Promise<Map<string, string>> {
  const connection = await connectAsSyncAccount(lab, memoryLogger().logger);
  try {
    const { records, failures } = await readAllRecords(
      await startScopeRead(connection, { scopeDn }),
    );
    if (failures > 0) throw new Error(`${failures} entries of ${scopeDn} could not be decoded`);
    return new Map(records.map(({ record }) => [record.anchor, canonicalRecordJson(record)]));
  } finally {
    await connection.close();
  }
}

/** The present directory objects the service holds: canonical record JSON by anchor. */
export async function hostedState(hosted: HostedHarness): Promise<Map<string, string>> {
  const objects = await hostedObjects(hosted);
  return new Map(objects.map((object) => [object.anchor, canonicalRecordJson(object.record)]));
}

/** Lists how the two states differ, at most `limit` lines; empty when they are equal. */
export function stateDifferences(
  expected: Map<string, string>,
  actual: Map<string, string>,
  limit = 10,
): string[] {
  const lines: string[] = [];
  for (const [anchor, record] of expected) {
    const other = actual.get(anchor);
    if (other === undefined) lines.push(`missing on the hosted side: ${anchor}`);
    else if (other !== record)
      lines.push(`differs: ${anchor}\n  directory ${record}\n  hosted    ${other}`);
  }
  for (const anchor of actual.keys()) {
    if (!expected.has(anchor)) lines.push(`still present on the hosted side: ${anchor}`);
  }
  return lines.slice(0, limit);
}
