import { describe, inject } from 'vitest';
import type { LabFacts } from '../../src/lab/facts.ts';

/** The facts of the running test lab; throws in a test that needs it when the lab is off. */
export function labFacts(): LabFacts {
  const lab = inject('lab');
  if (lab === undefined) throw new Error('The test lab is not running (USERPILOT_TEST_LAB=off).');
  return lab;
}

/** A describe block that needs the lab DC: skipped, visibly, only when the lab is switched off. */
export const describeLab = describe.skipIf(inject('lab') === undefined);
