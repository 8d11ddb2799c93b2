import { search } from '@inquirer/prompts';
import type { DirectoryConnection } from '../../directory/connection.ts';
import { parseDn } from '../../directory/dn.ts';
import { browseOrganizationalUnits, type OrganizationalUnit } from '../../directory/scope.ts';

type Pick = { kind: 'use'; dn: string } | { kind: 'open'; dn: string } | { kind: 'up' };

/**
 * Lets the admin pick the sync scope by browsing the OU tree one level at a time: each level is
 * read only when opened, and typing filters the OUs of that level by name.
 */
export async function pickScopeInteractively(
  connection: DirectoryConnection,
  namingContext: string,
): Promise<string> {
  const cache = new Map<string, OrganizationalUnit[]>();
  const path: string[] = [namingContext];
  for (;;) {
    const current = path[path.length - 1] ?? namingContext;
    const units = await listLevel(connection, current, cache);
    const pick = await search<Pick>({
      message: `Sync scope: choose an OU below ${current} (type to filter)`,
      pageSize: 15,
      source: (term) => Promise.resolve(choicesFor(current, units, term ?? '', path.length > 1)),
    });
    if (pick.kind === 'use') return pick.dn;
    if (pick.kind === 'up') path.pop();
    else path.push(pick.dn);
  }
}

async function listLevel(
  connection: DirectoryConnection,
  dn: string,
  cache: Map<string, OrganizationalUnit[]>,
): Promise<OrganizationalUnit[]> {
  const cached = cache.get(dn);
  if (cached !== undefined) return cached;
  const listing = await browseOrganizationalUnits(connection, dn);
  if (!listing.ok) throw listing.error;
  cache.set(dn, listing.units);
  return listing.units;
}

function choicesFor(current: string, units: OrganizationalUnit[], term: string, canGoUp: boolean) {
  const filter = term.trim().toLowerCase();
  const matching = units.filter(
    (unit) => filter === '' || unit.name.toLowerCase().includes(filter),
  );
  const choices: { name: string; value: Pick; description?: string }[] = [];
  // The naming context itself is not an OU, so it cannot be the scope.
  if (isOu(current)) choices.push({ name: `Use ${current}`, value: { kind: 'use', dn: current } });
  if (canGoUp) choices.push({ name: '.. (up one level)', value: { kind: 'up' } });
  for (const unit of matching) {
    choices.push({
      name: `${unit.name}/`,
      value: { kind: 'open', dn: unit.dn },
      ...(unit.description === null ? {} : { description: unit.description }),
    });
  }
  return choices;
}

function isOu(dn: string): boolean {
  try {
    return parseDn(dn)[0]?.attributes[0]?.type.toLowerCase() === 'ou';
  } catch {
    return false;
  }
}
