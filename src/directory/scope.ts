import { NoSuchObjectError } from 'ldapts';
import { UserPilotError } from '../protocol/errors.ts';
import type { DirectoryConnection } from './connection.ts';
import { isDnWithin, parseDn } from './dn.ts';
import { parseExtendedDn } from './extended-dn.ts';
import { searchAllPages } from './paged-search.ts';
import { readRootDse } from './root-dse.ts';

export type ScopeCheck =
  { ok: true; scopeDn: string; namingContext: string } | { ok: false; error: UserPilotError };

/** One organizational unit, as the setup wizard lists it. */
export interface OrganizationalUnit {
  dn: string;
  name: string;
  description: string | null;
}

export type OuListing =
  | { ok: true; parentDn: string; units: OrganizationalUnit[] }
  | { ok: false; error: UserPilotError };

function dnInvalid(dn: string, error: unknown): UserPilotError {
  const reason = error instanceof Error ? error.message : String(error);
  return new UserPilotError('UP_DIRECTORY_DN_INVALID', reason, {
    hint: 'Escape , + " \\ < > ; and leading or trailing spaces with a backslash.',
    details: { dn },
  });
}

function notFound(dn: string): UserPilotError {
  return new UserPilotError('UP_DIRECTORY_SCOPE_NOT_FOUND', `No entry exists at ${dn}.`, {
    hint: 'Run `userpilot directory browse` to find the exact DN of the OU.',
    details: { dn },
  });
}

async function namingContextOf(connection: DirectoryConnection): Promise<string> {
  const root = await readRootDse(connection, ['defaultNamingContext']);
  const value = root.defaultNamingContext;
  const text = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string') throw new Error('The rootDSE has no defaultNamingContext.');
  return text;
}

/** Reads the objectClass values of one entry, or undefined when it does not exist. */
async function objectClassesOf(
  connection: DirectoryConnection,
  dn: string,
): Promise<string[] | undefined> {
  try {
    const result = await connection.search(dn, { scope: 'base', attributes: ['objectClass'] });
    const value = result.searchEntries[0]?.objectClass;
    if (value === undefined) return undefined;
    return (Array.isArray(value) ? value : [value]).map((item) => String(item).toLowerCase());
  } catch (error) {
    if (error instanceof UserPilotError && error.cause instanceof NoSuchObjectError)
      return undefined;
    throw error;
  }
}

/**
 * Checks a scope DN: valid DN text, inside the domain's naming context, an existing entry, and
 * an organizationalUnit. Each failure has its own error code.
 */
export async function checkScope(
  connection: DirectoryConnection,
  scopeDn: string,
): Promise<ScopeCheck> {
  try {
    parseDn(scopeDn);
  } catch (error) {
    return { ok: false, error: dnInvalid(scopeDn, error) };
  }

  const namingContext = await namingContextOf(connection);
  if (!isDnWithin(scopeDn, namingContext)) {
    const error = new UserPilotError(
      'UP_DIRECTORY_SCOPE_OUTSIDE_DOMAIN',
      `${scopeDn} is not inside the domain's naming context ${namingContext}.`,
      { hint: `Choose an OU below ${namingContext}.`, details: { dn: scopeDn, namingContext } },
    );
    return { ok: false, error };
  }

  const classes = await objectClassesOf(connection, scopeDn);
  if (classes === undefined) return { ok: false, error: notFound(scopeDn) };
  if (!classes.includes('organizationalunit')) {
    const error = new UserPilotError(
      'UP_DIRECTORY_SCOPE_NOT_OU',
      `${scopeDn} is not an organizational unit (its classes: ${classes.join(', ')}).`,
      {
        hint: 'Choose an OU; containers such as CN=Users cannot be a scope.',
        details: { dn: scopeDn },
      },
    );
    return { ok: false, error };
  }
  return { ok: true, scopeDn, namingContext };
}

function textOf(value: unknown): string | null {
  const item = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof item === 'string' ? item : null;
}

/**
 * Lists the organizational units directly below `parentDn` (the domain's naming context when
 * omitted), sorted by name, one level at a time for the setup wizard.
 */
export async function browseOrganizationalUnits(
  connection: DirectoryConnection,
  parentDn?: string,
): Promise<OuListing> {
  const base = parentDn ?? (await namingContextOf(connection));
  try {
    parseDn(base);
  } catch (error) {
    return { ok: false, error: dnInvalid(base, error) };
  }
  if ((await objectClassesOf(connection, base)) === undefined) {
    return { ok: false, error: notFound(base) };
  }

  const units: OrganizationalUnit[] = [];
  const pages = searchAllPages(connection, {
    base,
    scope: 'one',
    filter: '(objectClass=organizationalUnit)',
    attributes: ['ou', 'description'],
    binaryAttributes: [],
    controls: [],
    description: `the OUs below ${base}`,
  });
  for await (const entries of pages) {
    for (const entry of entries) {
      const dn = parseExtendedDn(entry.dn).dn;
      units.push({ dn, name: textOf(entry.ou) ?? dn, description: textOf(entry.description) });
    }
  }
  units.sort((left, right) => left.name.localeCompare(right.name));
  return { ok: true, parentDn: base, units };
}
