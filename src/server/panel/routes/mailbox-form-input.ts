import type { FastifyRequest } from 'fastify';
import {
  mailboxProfileFields,
  type Mailbox,
  type MailboxInput,
  type MailboxPatch,
  type MailboxProfile,
} from '../../../hosted/index.ts';
import { formList, formText } from '../auth.ts';
import type { MailboxDraft } from '../views/mailbox-form.ts';

/** Splits the addresses textarea on line breaks, commas and spaces. */
function parseAddresses(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

function nullIfEmpty(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed;
}

/**
 * Reads the enabled flag as the form sent it. The form carries a hidden "off" before the checkbox, so
 * a checked box yields both values and an absent field means the form did not send it.
 */
function parseEnabled(request: FastifyRequest): boolean | undefined {
  const values = formList(request, 'enabled');
  if (values.includes('on')) return true;
  if (values.includes('off')) return false;
  return undefined;
}

/** Collects what the admin typed, to show it again after a rejection. */
export function draftFromForm(request: FastifyRequest, base: MailboxDraft): MailboxDraft {
  const profile = { ...base.profile };
  for (const field of mailboxProfileFields) {
    const value = formText(request, field);
    if (value !== undefined) profile[field] = value;
  }
  return {
    upn: formText(request, 'upn') ?? base.upn,
    displayName: formText(request, 'displayName') ?? base.displayName,
    otherAddresses: formText(request, 'otherAddresses') ?? base.otherAddresses,
    enabled: parseEnabled(request) ?? base.enabled,
    profile,
  };
}

function profileFromForm(request: FastifyRequest): Partial<MailboxProfile> {
  const profile: Partial<MailboxProfile> = {};
  for (const field of mailboxProfileFields) {
    const value = formText(request, field);
    if (value !== undefined) profile[field] = nullIfEmpty(value);
  }
  return profile;
}

export function mailboxInputFromForm(request: FastifyRequest): MailboxInput {
  const input: MailboxInput = {
    upn: (formText(request, 'upn') ?? '').trim(),
    displayName: nullIfEmpty(formText(request, 'displayName') ?? ''),
    otherAddresses: parseAddresses(formText(request, 'otherAddresses') ?? ''),
    profile: profileFromForm(request),
    enabled: parseEnabled(request) ?? true,
  };
  const password = formText(request, 'password') ?? '';
  if (password !== '') input.password = password;
  return input;
}

function sameList(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((item, index) => item === right[index]);
}

/**
 * Returns the fields the form sent that differ from the mailbox. Every sent field is compared, not only
 * those the page shows, so a forged form reaches the domain rules with all it tried to change.
 */
export function mailboxPatchFromForm(request: FastifyRequest, mailbox: Mailbox): MailboxPatch {
  const patch: MailboxPatch = {};
  const upn = formText(request, 'upn');
  if (upn !== undefined && upn.trim() !== mailbox.upn) patch.upn = upn.trim();

  const displayName = formText(request, 'displayName');
  if (displayName !== undefined && nullIfEmpty(displayName) !== mailbox.displayName) {
    patch.displayName = nullIfEmpty(displayName);
  }

  const addresses = formText(request, 'otherAddresses');
  if (addresses !== undefined && !sameList(parseAddresses(addresses), mailbox.otherAddresses)) {
    patch.otherAddresses = parseAddresses(addresses);
  }

  const enabled = parseEnabled(request);
  if (enabled !== undefined && enabled !== mailbox.enabled) patch.enabled = enabled;

  const changed = Object.entries(profileFromForm(request)).filter(
    ([field, value]) => mailbox.profile[field as keyof MailboxProfile] !== value,
  );
  if (changed.length > 0) patch.profile = Object.fromEntries(changed);

  const password = formText(request, 'password') ?? '';
  if (password !== '') patch.password = password;
  return patch;
}
