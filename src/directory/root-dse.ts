import type { DirectoryConnection } from './connection.ts';
import { guidFromBytes } from './guid.ts';

/** The identity and state of a DC, read from its rootDSE and its NTDS Settings object. */
export interface DcState {
  dnsHostName: string;
  /** The DC database's identity; it changes when the database is restored from a backup. */
  invocationId: string;
  /** The highest update sequence number committed on this DC, as decimal text. */
  highestCommittedUSN: string;
  defaultNamingContext: string;
  /** The DN of the DC's NTDS Settings object. */
  dsServiceName: string;
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? (value as unknown[])[0] : value;
}

function requireText(entry: Record<string, unknown>, attribute: string): string {
  const value = first(entry[attribute]);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`The rootDSE has no ${attribute}; is this an Active Directory DC?`);
  }
  return value;
}

/** Reads the rootDSE: one base search of the empty DN. */
export async function readRootDse(
  connection: DirectoryConnection,
  attributes: string[],
): Promise<Record<string, unknown>> {
  const result = await connection.search('', {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes,
  });
  const entry = result.searchEntries[0];
  if (entry === undefined) throw new Error('The DC returned no rootDSE entry.');
  return entry;
}

/** Reads the rootDSE's highestCommittedUSN alone: the cheap read the change poller repeats. */
export async function readHighestCommittedUsn(connection: DirectoryConnection): Promise<string> {
  const entry = await readRootDse(connection, ['highestCommittedUSN']);
  return requireText(entry, 'highestCommittedUSN');
}

/** Reads the DC's name, invocationId, USN and naming context. */
export async function readDcState(connection: DirectoryConnection): Promise<DcState> {
  const root = await readRootDse(connection, [
    'dnsHostName',
    'highestCommittedUSN',
    'defaultNamingContext',
    'dsServiceName',
  ]);
  const dsServiceName = requireText(root, 'dsServiceName');
  const settings = await connection.search(dsServiceName, {
    scope: 'base',
    filter: '(objectClass=*)',
    attributes: ['invocationId'],
    explicitBufferAttributes: ['invocationId'],
  });
  const invocation = first(settings.searchEntries[0]?.invocationId);
  if (!Buffer.isBuffer(invocation)) {
    throw new Error(`${dsServiceName} has no readable invocationId.`);
  }
  return {
    dnsHostName: requireText(root, 'dnsHostName'),
    invocationId: guidFromBytes(invocation),
    highestCommittedUSN: requireText(root, 'highestCommittedUSN'),
    defaultNamingContext: requireText(root, 'defaultNamingContext'),
    dsServiceName,
  };
}
