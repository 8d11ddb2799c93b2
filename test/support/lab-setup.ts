import { join } from 'node:path';
import type { LabFacts } from '../../src/lab/facts.ts';

const root = join(import.meta.dirname, '..', '..');

/** The lab folder of the test run; kept between local runs, since `lab up` reuses a running lab. */
export function labDirForTests(): string {
  return process.env.USERPILOT_TEST_LAB_DIR ?? join(root, '.data', 'test-lab');
}

/**
 * Starts (or reuses) the test lab and seeds it. With USERPILOT_TEST_LAB=off, lab tests are
 * skipped with a notice, except under CI=true, where a missing lab fails the run.
 */
export async function startTestLab(): Promise<LabFacts | undefined> {
  if (process.env.USERPILOT_TEST_LAB === 'off') {
    if (process.env.CI === 'true') {
      throw new Error('USERPILOT_TEST_LAB=off is not allowed under CI=true: lab tests must run.');
    }
    console.warn('USERPILOT_TEST_LAB=off: tests that need the lab DC are skipped.');
    return undefined;
  }
  const { labUp } = await import('../../src/lab/lab.ts');
  return labUp({ dir: labDirForTests(), seed: true });
}
