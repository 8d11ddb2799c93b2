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

  const candidates =
    (node && (await lookupCandidates(service, tenantId, node))) ??
    (await scanMailboxes(service, tenantId));
  const resources: ResourceObject[] = [];
  for (const mailbox of candidates) {
    const { resource } = await users.toUser(mailbox);
    if (matches(resource)) resources.push(resource);
  }
  if (compare !== undefined) resources.sort(compare);
  return {
    totalResults: resources.length,
    startIndex,
    resources: resources.slice(startIndex - 1, startIndex - 1 + count),
  };
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

/** Reads every live mailbox of the tenant, a page of the hosted list at a time. */
async function scanMailboxes(service: HostedService, tenantId: string): Promise<Mailbox[]> {
  // NOTE: this keeps every mailbox of the tenant in memory; the hosted list offers no
  // attribute filter or sort yet, so filters other than the exact lookups scan.
  const mailboxes: Mailbox[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await service.mailboxes.list(tenantId, {
      limit: scanPageSize,
      ...(cursor ? { cursor } : {}),
    });
    mailboxes.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return mailboxes;
}
