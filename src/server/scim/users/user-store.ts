import type { HostedService } from '../../../hosted/index.ts';
import type { Actor, Mailbox } from '../../../hosted/types.ts';
import { ScimError } from '../errors.ts';
import type { ResourceObject } from '../filter/evaluate.ts';
import { patchResource } from '../patch/apply.ts';
import { linkedChanges, mailboxPatchOf, managedByDirectory } from './changes.ts';
import { withScimErrors } from './hosted-errors.ts';
import { mailboxToResource, resourceToFields, type ManagerRef } from './mapping.ts';
import { readResourceBody } from './resource-input.ts';

/** One mailbox with the User resource SCIM shows for it. */
export interface ScimUser {
  readonly mailbox: Mailbox;
  readonly resource: ResourceObject;
}

/**
 * The Users of one tenant as SCIM shows them, over the hosted service's mailboxes. Every call is
 * scoped to the tenant of the bearer token, so a token never reads or writes another tenant.
 * Writes go through the hosted service and its rules: registered domains, unique addresses,
 * argon2id password hashes, and the fields a linked mailbox takes from AD.
 */
export class ScimUsers {
  constructor(
    private readonly service: HostedService,
    private readonly tenantId: string,
    /** The URL of the Users endpoint, for `meta.location`. */
    private readonly usersUrl: string,
    private readonly actor: Actor,
  ) {}

  /** Loads a user, or null when the tenant has no such live mailbox. */
  async find(id: string): Promise<ScimUser | null> {
    const mailbox = await this.service.mailboxes.get(this.tenantId, id);
    if (mailbox === null || mailbox.deletedAt !== null) return null;
    return this.toUser(mailbox);
  }

  async require(id: string): Promise<ScimUser> {
    const user = await this.find(id);
    if (user === null) {
      throw new ScimError(
        'UP_SCIM_NOT_FOUND',
        `No user with the id ${JSON.stringify(id)} exists.`,
        { details: { id } },
      );
    }
    return user;
  }

  /**
   * Builds the User of a mailbox. Without `withManager` the enterprise manager is left out,
   * which saves its lookups but gives another version; such a User is never sent.
   */
  async toUser(mailbox: Mailbox, options: { withManager?: boolean } = {}): Promise<ScimUser> {
    const manager = options.withManager === false ? null : await this.managerOf(mailbox);
    return {
      mailbox,
      resource: mailboxToResource(mailbox, `${this.usersUrl}/${mailbox.id}`, manager),
    };
  }

  /** Creates a mailbox from a POST body. */
  async create(body: unknown): Promise<ScimUser> {
    const fields = resourceToFields(readResourceBody(body));
    // NOTE: a mailbox has no field for externalId or manager yet, so an unlinked user created
    // through SCIM does not keep them; GET shows neither.
    const mailbox = await withScimErrors(() =>
      this.service.mailboxes.create(
        this.tenantId,
        {
          upn: fields.upn,
          otherAddresses: fields.otherAddresses,
          displayName: fields.displayName,
          profile: fields.profile,
          enabled: fields.enabled ?? true,
          ...(fields.password === undefined ? {} : { password: fields.password }),
        },
        this.actor,
      ),
    );
    return this.toUser(mailbox);
  }

  /** Replaces a user with a PUT body. */
  async replace(id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    const user = await this.require(id);
    checkIfMatch(user, ifMatch);
    return this.write(user, readResourceBody(body));
  }

  /** Applies a PATCH body to a user. */
  async patch(id: string, body: unknown, ifMatch: string | undefined): Promise<ScimUser> {
    const user = await this.require(id);
    checkIfMatch(user, ifMatch);
    const patched = patchResource(user.resource, body);
    if (!patched.ok) throw patched.error;
    return this.write(user, patched.value);
  }

  /** Soft-deletes a user's mailbox; one linked to the local AD cannot be deleted here. */
  async delete(id: string, ifMatch: string | undefined): Promise<void> {
    const user = await this.require(id);
    checkIfMatch(user, ifMatch);
    if (user.mailbox.linkedAnchor !== null) {
      throw new ScimError(
        'UP_SCIM_MANAGED_BY_DIRECTORY',
        `The user ${user.mailbox.upn} is synchronized from the local Active Directory, so it cannot be deleted through SCIM.`,
        {
          hint: 'Delete the user in the local Active Directory or move it out of the sync scope, or unlink the mailbox in the control panel first.',
          details: { anchor: user.mailbox.linkedAnchor },
        },
      );
    }
    await withScimErrors(() => this.service.mailboxes.delete(this.tenantId, id, this.actor));
  }

  /**
   * Writes the resource a PUT or PATCH produced. A mailbox linked to the local AD accepts only
   * requests that change nothing, because every attribute SCIM shows is synchronized from AD.
   */
  private async write(user: ScimUser, resource: ResourceObject): Promise<ScimUser> {
    const fields = resourceToFields(resource);
    const mailbox = user.mailbox;
    if (mailbox.linkedAnchor !== null) {
      const changed = linkedChanges(mailbox, managerIdOf(user.resource), fields);
      if (changed.length > 0) throw managedByDirectory(mailbox, changed);
      return user;
    }

    const patch = mailboxPatchOf(mailbox, fields);
    if (Object.keys(patch).length === 0) return user;
    // NOTE: If-Match is checked before this update, not inside its transaction, so a write
    // by another client between the check and the update is not detected.
    const updated = await withScimErrors(() =>
      this.service.mailboxes.update(this.tenantId, mailbox.id, patch, this.actor),
    );
    return this.toUser(updated);
  }

  /** Finds the manager of a linked mailbox: the mailbox linked to its AD manager's object. */
  private async managerOf(mailbox: Mailbox): Promise<ManagerRef | null> {
    if (mailbox.linkedAnchor === null) return null;
    const object = await this.service.directory.get(this.tenantId, mailbox.linkedAnchor);
    const managerAnchor = object?.record.managerAnchor ?? null;
    if (managerAnchor === null) return null;
    const manager = await this.service.directory.get(this.tenantId, managerAnchor);
    const managerId = manager?.linkedMailboxId ?? null;
    if (managerId === null) return null;
    return { id: managerId, displayName: manager?.record.displayName ?? null };
  }
}

function managerIdOf(resource: ResourceObject): string | null {
  const extension = resource['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as
    { manager?: { value?: string } } | undefined;
  return extension?.manager?.value ?? null;
}

/** The version of a user as an entity tag, the form ETag and If-Match carry. */
export function versionOfUser(user: ScimUser): string {
  return (user.resource.meta as { version: string }).version;
}

/**
 * Compares an If-Match header with the user's version (weak comparison, RFC 9110 section
 * 8.8.3.2). `*` and a list of tags are accepted; a mismatch is a 412.
 */
export function checkIfMatch(user: ScimUser, ifMatch: string | undefined): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const current = opaqueTag(versionOfUser(user));
  const tags = ifMatch.split(',').map((tag) => opaqueTag(tag.trim()));
  if (tags.includes(current)) return;
  throw new ScimError(
    'UP_SCIM_PRECONDITION_FAILED',
    `The user ${user.mailbox.id} has changed: its version is ${versionOfUser(user)}, not ${ifMatch}.`,
    {
      hint: 'Read the user again and send its current ETag in If-Match.',
    },
  );
}

/** Whether an If-None-Match header names the user's current version. */
export function matchesNoneMatch(user: ScimUser, ifNoneMatch: string | undefined): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const current = opaqueTag(versionOfUser(user));
  return ifNoneMatch.split(',').some((tag) => opaqueTag(tag.trim()) === current);
}

function opaqueTag(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
