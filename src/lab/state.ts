import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { UserPilotError } from '../protocol/errors.ts';
import type { LabLayout } from './layout.ts';

/** What provisioning decided, kept in `lab.json`; it holds no secret. */
export interface LabState {
  version: 1;
  ldapsPort: number;
  ldapPort: number;
  gpgKeyId: string;
  provisionedAt: string;
}

/** How a lab folder looks before `lab up` acts on it. */
export type LabFolderState = 'empty' | 'half-provisioned' | 'provisioned';

/**
 * Classifies the lab folder. Provisioning writes `lab.json` as its last step, so a folder with
 * lab parts but no `lab.json` was left by a failed or interrupted provisioning.
 */
export function inspectFolder(layout: LabLayout): LabFolderState {
  if (existsSync(layout.stateFile)) return 'provisioned';
  const parts = [layout.sambaDir, layout.tlsDir, layout.gnupgHome, layout.secretsFile];
  return parts.some((path) => existsSync(path)) ? 'half-provisioned' : 'empty';
}

export function writeState(layout: LabLayout, state: LabState): void {
  writeFileSync(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/** Reads `lab.json` and checks that the files it relies on exist; throws UP_LAB_BROKEN if not. */
export function readState(layout: LabLayout): LabState {
  const missing = [layout.samLdb, layout.smbConf, layout.caFile, layout.secretsFile].filter(
    (path) => !existsSync(path),
  );
  let state: Partial<LabState> | undefined;
  try {
    state = JSON.parse(readFileSync(layout.stateFile, 'utf8')) as Partial<LabState>;
  } catch {
    state = undefined;
  }
  if (missing.length > 0 || state?.version !== 1 || typeof state.ldapsPort !== 'number') {
    throw new UserPilotError(
      'UP_LAB_BROKEN',
      `The lab folder ${layout.dir} is damaged${missing.length > 0 ? `: missing ${missing.join(', ')}` : ': lab.json is invalid'}.`,
      { hint: 'Run `userpilot lab down --purge` and `userpilot lab up` to make a new lab.' },
    );
  }
  return state as LabState;
}
