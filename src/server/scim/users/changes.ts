import { keyOf } from '../../../hosted/keys.ts';
import type { Mailbox, MailboxPatch } from '../../../hosted/types.ts';
import { ScimError } from '../errors.ts';
import {
  addressFields,
  phoneFields,
  scimProfileFields,
  type ScimProfile,
  type UserFields,
} from './mapping.ts';

/** The SCIM attribute that shows each profile field, for messages. */
const profileAttributes: Record<keyof ScimProfile, string> = {
  givenName: 'name.givenName',
  sn: 'name.familyName',
  title: 'title',
  department: 'enterprise department',
  company: 'enterprise organization',
  employeeId: 'enterprise employeeNumber',
  ...(Object.fromEntries(
    Object.entries(phoneFields).map(([type, field]) => [field, `phoneNumbers[type eq "${type}"]`]),
  ) as Record<(typeof phoneFields)[keyof typeof phoneFields], string>),
  ...(Object.fromEntries(
    Object.entries(addressFields).map(([part, field]) => [field, `addresses.${part}`]),
  ) as Record<(typeof addressFields)[keyof typeof addressFields], string>),
};

/**
 * Builds the mailbox update that turns `mailbox` into what `fields` describe, with only the
 * fields that change. Returns an empty object when nothing changes.
 */
export function mailboxPatchOf(mailbox: Mailbox, fields: UserFields): MailboxPatch {
  const patch: MailboxPatch = {};
  if (fields.upn !== mailbox.upn) patch.upn = fields.upn;
  if (fields.otherAddresses.join('\n') !== mailbox.otherAddresses.join('\n'))
    patch.otherAddresses = fields.otherAddresses;
  if (fields.displayName !== mailbox.displayName) patch.displayName = fields.displayName;
  const profile: Partial<ScimProfile> = {};
  for (const field of scimProfileFields) {
    if (fields.profile[field] !== mailbox.profile[field]) profile[field] = fields.profile[field];
  }
  if (Object.keys(profile).length > 0) patch.profile = profile;
  if (fields.enabled !== undefined && fields.enabled !== mailbox.enabled)
    patch.enabled = fields.enabled;
  if (fields.password !== undefined) patch.password = fields.password;
  return patch;
}

/**
 * Lists the SCIM attributes a request would change on a mailbox linked to the local AD. Values
 * that differ only in case where the schema ignores case (userName, emails) are no change, and
 * neither are an externalId or manager the request leaves out, since SCIM cannot unassign them.
 */
export function linkedChanges(
  mailbox: Mailbox,
  managerId: string | null,
  fields: UserFields,
): string[] {
  const changed: string[] = [];
  if (keyOf(fields.upn) !== keyOf(mailbox.upn)) changed.push('userName');
  const addressKeys = (list: string[]) => [...new Set(list.map(keyOf))].sort().join('\n');
  if (addressKeys(fields.otherAddresses) !== addressKeys(mailbox.otherAddresses))
    changed.push('emails');
  if (fields.displayName !== mailbox.displayName) changed.push('displayName');
  for (const field of scimProfileFields) {
    if (fields.profile[field] !== mailbox.profile[field]) changed.push(profileAttributes[field]);
  }
  if (fields.enabled !== undefined && fields.enabled !== mailbox.enabled) changed.push('active');
  if (fields.password !== undefined) changed.push('password');
  if (fields.externalId !== null && fields.externalId !== mailbox.linkedAnchor)
    changed.push('externalId');
  if (fields.managerId !== null && fields.managerId !== managerId)
    changed.push('enterprise manager');
  return [...new Set(changed)];
}

/** The mutability error for a change of attributes that the local AD manages. */
export function managedByDirectory(mailbox: Mailbox, attributes: string[]): ScimError {
  return new ScimError(
    'UP_SCIM_MANAGED_BY_DIRECTORY',
    `The user ${mailbox.upn} is synchronized from the local Active Directory, so ${attributes.join(', ')} cannot be changed through SCIM.`,
    {
      hint: 'The value is managed in the local Active Directory: make the change there, and it reaches the mailbox at the next synchronization.',
      details: { attributes, anchor: mailbox.linkedAnchor },
    },
  );
}
