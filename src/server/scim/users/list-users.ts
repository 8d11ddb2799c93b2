import type { HostedService } from '../../../hosted/index.ts';
import type { Mailbox } from '../../../hosted/types.ts';
import type { FilterNode } from '../filter/ast.ts';
import { compileFilter, type ResourceObject } from '../filter/evaluate.ts';
import { parseFilter } from '../filter/parser.ts';
import { enterpriseUserSchemaId } from '../schema/user-schema.ts';
import { buildSort, type Paging } from './list-query.ts';
import type { ScimUsers } from './user-store.ts';

export interface UserListQuery {
  readonly filter: string | undefined;
  readonly sortBy: string | undefined;
  readonly sortOrder: string | undefined;
  readonly paging: Paging;
}

export interface UserListPage {
  readonly totalResults: number;
  readonly startIndex: number;
  readonly resources: ResourceObject[];
}

/** The page size of the hosted service's mailbox list, its maximum. */
const scanPageSize = 500;

/**
 * Lists a tenant's users for a SCIM query. Without filter and sortBy the hosted service pages by
 * UPN. With them, the candidates are narrowed by an exact lookup where the filter allows it
 * (`userName eq`, `emails eq`, `externalId eq`), else every mailbox of the tenant is read, and
 * the filter and sort run in memory.
 */
export async function listUsers(
  service: HostedService,
  tenantId: string,
  users: ScimUsers,
  query: UserListQuery,
): Promise<UserListPage> {
  const { startIndex, count } = query.paging;
  if (query.filter === undefined && query.sortBy === undefined) {
    const page = await service.mailboxes.list(tenantId, {
      offset: startIndex - 1,
      limit: Math.max(count, 1),
    });
    const items = count === 0 ? [] : page.items;
    const resources = await Promise.all(
      items.map(async (mailbox) => (await users.toUser(mailbox)).resource),
    );
    return { totalResults: page.total, startIndex, resources };
  }

  const node = query.filter === undefined ? undefined : parsed(query.filter);
  const matches =
    node === undefined || query.filter === undefined
      ? () => true
      : compileFilter(query.filter, node);
  const compare = query.sortBy === undefined ? undefined : buildSort(query.sortBy, query.sortOrder);
  // Finding a manager costs two lookups per linked user, so the filter and sort see it only
  // when they name it; the page returned is built in full afterwards.
  const withManager = /manager/i.test(`${query.filter ?? ''} ${query.sortBy ?? ''}`);

  const lookup = node && (await lookupCandidates(service, tenantId, node));
  const matched: { mailbox: Mailbox; resource: ResourceObject }[] = [];
  for await (const batch of lookup === undefined ? scanMailboxes(service, tenantId) : [lookup]) {
    for (const mailbox of batch) {
      const { resource } = await users.toUser(mailbox, { withManager });
      if (matches(resource)) matched.push({ mailbox, resource });
    }
  }
  if (compare !== undefined) matched.sort((a, b) => compare(a.resource, b.resource));

  const page = matched.slice(startIndex - 1, startIndex - 1 + count);
  const resources = await Promise.all(
    page.map(async ({ mailbox }) => (await users.toUser(mailbox)).resource),
  );
  return { totalResults: matched.length, startIndex, resources };
}

function parsed(filter: string): FilterNode {
  const result = parseFilter(filter);
  if (!result.ok) throw result.error;
  return result.value;
}

/**
 * Finds the few mailboxes an equality filter can match, or undefined when the filter needs a
 * scan. The full filter still runs over them, so this only narrows the candidates.
 */
async function lookupCandidates(
  service: HostedService,
  tenantId: string,
  node: FilterNode,
): Promise<Mailbox[] | undefined> {
  if (node.kind === 'and') {
    return (
      (await lookupCandidates(service, tenantId, node.left)) ??
      (await lookupCandidates(service, tenantId, node.right))
    );
  }
  if (node.kind !== 'compare' || node.operator !== 'eq' || typeof node.value !== 'string')
    return undefined;
  const schema = node.path.schema?.toLowerCase();
  if (schema === enterpriseUserSchemaId.toLowerCase()) return undefined;

  const name = node.path.name.toLowerCase();
  const sub = node.path.subAttribute?.toLowerCase();
  let mailbox: Mailbox | null = null;
  if (
    (name === 'username' && sub === undefined) ||
    (name === 'emails' && (sub === undefined || sub === 'value'))
  ) {
    mailbox = await service.mailboxes.getByAddress(tenantId, node.value);
  } else if (name === 'externalid' && sub === undefined) {
    const object = await service.directory.get(tenantId, node.value);
    const id = object?.linkedMailboxId ?? null;
    mailbox = id === null ? null : await service.mailboxes.get(tenantId, id);
  } else if (name === 'id' && sub === undefined) {
    mailbox = await service.mailboxes.get(tenantId, node.value);
  } else {
    return undefined;
  }
  return mailbox === null || mailbox.deletedAt !== null ? [] : [mailbox];
}

/** Reads every live mailbox of the tenant, one page of the hosted list at a time. */
async function* scanMailboxes(service: HostedService, tenantId: string): AsyncGenerator<Mailbox[]> {
  // NOTE: the hosted list offers no attribute filter or sort yet, so filters other than the
  // exact lookups read every mailbox of the tenant; only the matches stay in memory.
  let cursor: string | null | undefined;
  do {
    const page = await service.mailboxes.list(tenantId, {
      limit: scanPageSize,
      ...(cursor ? { cursor } : {}),
    });
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor !== null);
}
