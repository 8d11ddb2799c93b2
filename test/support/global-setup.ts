import type { TestProject } from 'vitest/node';
import type { LabFacts } from '../../src/lab/facts.ts';
import { labDirForTests, startTestLab } from './lab-setup.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Facts of the running test lab, or undefined when USERPILOT_TEST_LAB=off. */
    lab: LabFacts | undefined;
    labDir: string;
  }
}

/** Brings the test lab up once for the whole run; tests read its facts with inject('lab'). */
export default async function setup(project: TestProject): Promise<void> {
  project.provide('labDir', labDirForTests());
  project.provide('lab', await startTestLab());
}
