import type { Logger } from '../../core/log.ts';
import type { DirectoryConnectionOptions } from '../../directory/connection-options.ts';
import { connectDirectory, type DirectoryConnection } from '../../directory/connection.ts';
import { ShowDeletedControl } from '../../directory/extended-dn.ts';
import { readRootDse } from '../../directory/root-dse.ts';
import { checkScope } from '../../directory/scope.ts';
import { userFilter } from '../../directory/scope-read.ts';
import { UserPilotError } from '../../protocol/errors.ts';

/** Connects and binds as the sync account; throws the directory's error when that fails. */
export async function connectForSetup(
  options: DirectoryConnectionOptions,
  logger: Logger,
): Promise<DirectoryConnection> {
  const result = await connectDirectory({ ...options, retry: { attempts: 1 } }, { logger });
  if (!result.ok) throw result.error;
  return result.connection;
}

/**
 * Checks what the agent needs of the sync account: the scope is a valid OU inside the domain,
 * its users can be read, and deleted objects (tombstones) are visible, without which deletions
 * would be seen only at the next full read. Each failure names the missing right.
 */
export async function checkDirectoryAccess(
  connection: DirectoryConnection,
  scopeDn: string,
  account: string,
): Promise<void> {
  const scope = await checkScope(connection, scopeDn);
  if (!scope.ok) throw scope.error;

  try {
    await connection.search(scopeDn, {
      scope: 'sub',
      filter: userFilter,
      attributes: ['objectGUID'],
      sizeLimit: 1,
    });
  } catch (error) {
    if (!(error instanceof Error && /size ?limit/i.test(error.message))) {
      throw checkFailed(
        `The sync account ${account} cannot read the users of ${scopeDn}: ${describe(error)}.`,
        `Grant ${account} Read (List Contents, Read Property) on ${scopeDn} and its children.`,
      );
    }
  }

  const root = await readRootDse(connection, ['defaultNamingContext']);
  const namingContext = String(root.defaultNamingContext);
  const deletedObjects = `CN=Deleted Objects,${namingContext}`;
  let visible = false;
  try {
    const result = await connection.search(
      deletedObjects,
      { scope: 'base', filter: '(objectClass=*)', attributes: ['1.1'] },
      [new ShowDeletedControl()],
    );
    visible = result.searchEntries.length > 0;
  } catch {
    visible = false;
  }
  if (!visible) {
    throw checkFailed(
      `The sync account ${account} cannot see deleted objects (tombstones) in ${deletedObjects}.`,
      `Grant ${account} List Contents and Read Property on ${deletedObjects} ` +
        `(on Windows: dsacls "${deletedObjects}" /takeownership, then dsacls "${deletedObjects}" /G DOMAIN\\ACCOUNT:LCRP).`,
    );
  }
}

function checkFailed(message: string, hint: string): UserPilotError {
  return new UserPilotError('UP_AGENT_DIRECTORY_CHECK_FAILED', message, { hint });
}

function describe(error: unknown): string {
  if (error instanceof UserPilotError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
