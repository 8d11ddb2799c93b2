import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserPilotError } from '../protocol/errors.ts';
import { runCommand } from './command.ts';
import { defaultPorts, labLayout } from './layout.ts';
import { readState, writeState } from './state.ts';
import { runningService } from './services.ts';

/**
 * Writes the stopped lab folder to a tar archive (compressed by its extension, `tar -a`), so a
 * lab seeded with many users can be restored instead of seeded again. Sockets, PID files and
 * the lock are left out.
 */
export async function saveLab(dir: string, archive: string): Promise<void> {
  const layout = labLayout(dir);
  readState(layout);
  if (runningService(layout, 'samba') !== undefined) {
    throw archiveError(
      `The lab in ${layout.dir} is running.`,
      'Stop it with `userpilot lab down` first.',
    );
  }
  const result = await runCommand('tar', [
    '-C',
    layout.dir,
    '--exclude=./run',
    '--exclude=./lab.lock',
    '-caf',
    resolve(archive),
    '.',
  ]);
  if (result.code !== 0)
    throw archiveError(`tar could not write ${archive}: ${result.stderr.trim()}`);
}

/**
 * Unpacks an archive made by `saveLab` into an absent or empty lab folder. Samba's smb.conf
 * holds absolute paths, so they are rewritten when the folder differs from the saved one, and
 * the ports move to the new folder's defaults unless given.
 */
export async function restoreLab(
  dir: string,
  archive: string,
  ports?: { ldapsPort: number; ldapPort: number },
): Promise<void> {
  const layout = labLayout(dir);
  if (existsSync(layout.dir) && readdirSync(layout.dir).some((name) => name !== 'log')) {
    throw archiveError(
      `The lab folder ${layout.dir} is not empty.`,
      'Restore into a new folder, or run `userpilot lab down --purge` first.',
    );
  }
  if (!existsSync(archive)) throw archiveError(`The archive ${archive} does not exist.`);
  await runCommand('mkdir', ['-p', layout.dir]);
  const result = await runCommand('tar', ['-C', layout.dir, '-xaf', resolve(archive)]);
  if (result.code !== 0)
    throw archiveError(`tar could not read ${archive}: ${result.stderr.trim()}`);

  const savedDir = /^\s*private dir = (.*)\/samba\/private$/m.exec(
    readFileSync(layout.smbConf, 'utf8'),
  )?.[1];
  if (savedDir !== undefined && savedDir !== layout.dir) {
    const config = readFileSync(layout.smbConf, 'utf8');
    writeFileSync(layout.smbConf, config.split(savedDir).join(layout.dir));
    writeState(layout, { ...readState(layout), ...(ports ?? defaultPorts(layout)) });
  } else if (ports !== undefined) {
    writeState(layout, { ...readState(layout), ...ports });
  }
}

function archiveError(message: string, hint?: string): UserPilotError {
  return new UserPilotError('UP_LAB_ARCHIVE_FAILED', message, hint === undefined ? {} : { hint });
}
