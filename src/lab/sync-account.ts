import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LabLayout } from './layout.ts';
import { labNames } from './layout.ts';
import { parseLdif } from './ldif.ts';
import { runSambaTool } from './provision.ts';

/** The control-access right DS-Replication-Get-Changes (Replicating Directory Changes). */
export const replicationGetChangesGuid = '1131f6aa-9c07-11d1-f79f-00c04fc2dcd2';

/**
 * Creates the agent's unprivileged bind account and grants it what a sync account needs and
 * nothing more:
 * - reading the scope: every authenticated user can already read users and OUs in a fresh
 *   domain, so this needs no grant;
 * - Replicating Directory Changes on the domain naming context, which DirSync requires
 *   (Get-Changes-All is not granted: it only adds secret attributes, which the agent never reads);
 * - List Contents and Read Property on `CN=Deleted Objects`, so a Show Deleted search returns
 *   tombstones.
 * Runs against sam.ldb directly, before Samba starts.
 */
export async function createSyncAccount(layout: LabLayout, password: string): Promise<void> {
  const ldb = ['-H', layout.samLdb, '-s', layout.smbConf];
  await runSambaTool(
    layout,
    'samba-tool',
    [
      'user',
      'create',
      labNames.syncAccount,
      password,
      '--description=UserPilot agent sync account (read-only)',
      ...ldb,
    ],
    { step: 'Creating the sync account', secrets: [password] },
  );
  const sid = await readAccountSid(layout);

  await runSambaTool(
    layout,
    'samba-tool',
    [
      'dsacl',
      'set',
      `--objectdn=${labNames.baseDn}`,
      `--sddl=(OA;;CR;${replicationGetChangesGuid};;${sid})`,
      ...ldb,
    ],
    { step: 'Granting Replicating Directory Changes to the sync account' },
  );
  await grantDeletedObjectsRead(layout, sid);
}

async function readAccountSid(layout: LabLayout): Promise<string> {
  const output = await runSambaTool(
    layout,
    'samba-tool',
    ['user', 'show', labNames.syncAccount, '--attributes=objectSid', '-H', layout.samLdb],
    { step: 'Reading the sync account SID' },
  );
  const sid = parseLdif(output)[0]?.get('objectSid')?.[0];
  if (sid === undefined) throw new Error('samba-tool user show returned no objectSid');
  return sid;
}

/**
 * Appends an allow entry for List Contents and Read Property to the DACL of
 * `CN=Deleted Objects`. `samba-tool dsacl` cannot find that container (it needs the Show
 * Deleted control), so this reads and rewrites the descriptor with ldbsearch and ldbmodify.
 */
async function grantDeletedObjectsRead(layout: LabLayout, sid: string): Promise<void> {
  const dn = `CN=Deleted Objects,${labNames.baseDn}`;
  const controls = ['--controls=show_deleted:1', '--controls=sd_flags:1:4'];
  const output = await runSambaTool(
    layout,
    'ldbsearch',
    ['-H', layout.samLdb, ...controls, '-b', dn, '-s', 'base', 'nTSecurityDescriptor'],
    { step: 'Reading the descriptor of CN=Deleted Objects' },
  );
  const dacl = parseLdif(output)[0]?.get('nTSecurityDescriptor')?.[0];
  if (dacl === undefined) throw new Error(`ldbsearch returned no descriptor for ${dn}`);

  const file = join(layout.runDir, 'deleted-objects-acl.ldif');
  writeFileSync(
    file,
    [
      `dn: ${dn}`,
      'changetype: modify',
      'replace: nTSecurityDescriptor',
      `nTSecurityDescriptor: ${dacl}(A;;LCRP;;;${sid})`,
      '',
    ].join('\n'),
  );
  try {
    await runSambaTool(layout, 'ldbmodify', ['-H', layout.samLdb, ...controls, file], {
      step: 'Granting the sync account read access to CN=Deleted Objects',
    });
  } finally {
    rmSync(file, { force: true });
  }
}
