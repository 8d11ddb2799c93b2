/** Checks of mailbox values that an admin or SCIM client submits. */
import { rejection } from './context.ts';
import { domainKeyOf, formatCharacterIn, keyOf, parseAddress } from './keys.ts';
import { mailboxAddresses, type MailboxAddress } from './mailbox-model.ts';
import type { MailboxProfile } from './types.ts';
import { mailboxProfileFields } from './types.ts';
import { attributeLimits, defaultAttributeLimit, maxValuesPerAttribute } from './validation.ts';

/** Checks that a value is an address in a registered domain; returns it trimmed. */
export function checkMailboxAddress(
  field: string,
  value: string,
  domainKeys: ReadonlySet<string>,
): string {
  const address = value.trim();
  const hidden = formatCharacterIn(address);
  if (hidden !== null) {
    throw rejection(
      'UP_HOSTED_ADDRESS_INVALID',
      `The ${field} contains the invisible format character ${hidden}.`,
      'Type the address again without hidden characters.',
      { field, character: hidden },
    );
  }
  if (parseAddress(address) === null) {
    throw rejection(
      'UP_HOSTED_ADDRESS_INVALID',
      `The ${field} "${address.slice(0, 320)}" is not a valid email address.`,
      'Pass an address of the form user@domain.',
      { field },
    );
  }
  const domainKey = domainKeyOf(address) ?? '';
  if (!domainKeys.has(domainKey)) {
    throw rejection(
      'UP_HOSTED_DOMAIN_NOT_REGISTERED',
      `The domain of the ${field} ${address} is not registered for this tenant.`,
      'Register the domain under Domains first.',
      { field, domain: domainKey },
    );
  }
  return address;
}

export function checkLength(field: string, value: string | null, limit: number): void {
  if (value !== null && [...value].length > limit) {
    throw rejection(
      'UP_HOSTED_VALUE_TOO_LONG',
      `The ${field} is longer than the ${limit} characters allowed.`,
      undefined,
      { field, limit },
    );
  }
}

export function checkProfile(profile: Partial<MailboxProfile>): void {
  for (const field of mailboxProfileFields) {
    const value = profile[field];
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string') {
      throw rejection('UP_HOSTED_INPUT_INVALID', `The ${field} must be text or null.`, undefined, {
        field,
      });
    }
    checkLength(field, value, attributeLimits[field] ?? defaultAttributeLimit);
  }
}

/** Checks a UPN and its other addresses and returns the mailbox's address list. */
export function checkAddresses(
  upn: string,
  others: readonly string[],
  domainKeys: ReadonlySet<string>,
): MailboxAddress[] {
  const primary = checkMailboxAddress('UPN', upn, domainKeys);
  if (others.length > maxValuesPerAttribute) {
    throw rejection(
      'UP_HOSTED_VALUE_TOO_LONG',
      `A mailbox has at most ${maxValuesPerAttribute} addresses.`,
    );
  }
  const checked = others.map((address) => checkMailboxAddress('address', address, domainKeys));
  return mailboxAddresses(primary, checked, domainKeys);
}

/** Throws UP_HOSTED_ADDRESS_TAKEN when another mailbox has one of the addresses. */
export function rejectTakenAddresses(
  addresses: readonly MailboxAddress[],
  holders: ReadonlyMap<string, string>,
  ownMailboxId: string | null,
): void {
  for (const address of addresses) {
    const holder = holders.get(keyOf(address.address));
    if (holder !== undefined && holder !== ownMailboxId) {
      throw rejection(
        'UP_HOSTED_ADDRESS_TAKEN',
        `Another mailbox of the tenant has the address ${address.address}.`,
        'Remove the address from the other mailbox first.',
        { address: address.address, mailboxId: holder },
      );
    }
  }
}

/** Checks a password against the tenant's minimum length, counted in code points. */
export function checkPasswordLength(password: string, minLength: number): void {
  if ([...password.normalize('NFC')].length < minLength) {
    throw rejection(
      'UP_HOSTED_PASSWORD_POLICY',
      `The password is shorter than the tenant's minimum of ${minLength} characters.`,
      'Choose a longer password.',
      { minLength },
    );
  }
}
