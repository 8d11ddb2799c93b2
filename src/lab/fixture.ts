import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Why a fixture user must not be synchronized into a mailbox. */
export type NotEligibleReason = 'upn-not-email' | 'upn-domain-not-registered';

/**
 * The outcome the hosted side must reach for a user, assuming the fixture's `mailDomain` is
 * registered for the tenant and `unregisteredDomain` is not.
 */
export type ExpectedOutcome = 'eligible' | 'out-of-scope' | { notEligible: NotEligibleReason };

/** Profile attributes a fixture user may set; each maps one-to-one to the AD attribute. */
export const profileAttributes = [
  'givenName',
  'sn',
  'displayName',
  'title',
  'department',
  'company',
  'physicalDeliveryOfficeName',
  'telephoneNumber',
  'mobile',
  'facsimileTelephoneNumber',
  'homePhone',
  'streetAddress',
  'l',
  'st',
  'postalCode',
  'co',
  'description',
  'employeeID',
  'mail',
] as const;

export type ProfileAttribute = (typeof profileAttributes)[number];

export interface FixtureUser extends Partial<Record<ProfileAttribute, string>> {
  /** OU names from the domain root down, e.g. `["Staff", "Sales"]`. */
  ou: string[];
  cn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  proxyAddresses?: string[];
  /** The manager's sAMAccountName. */
  manager?: string;
  /** Sets userAccountControl bit 0x2 (ACCOUNTDISABLE). */
  disabled?: boolean;
  /** An ISO time written to accountExpires. */
  accountExpires?: string;
  /** Gives the user a generated password, listed in the lab facts' userPasswords. */
  password?: boolean;
  expected: ExpectedOutcome;
}

export interface LabFixture {
  description: string;
  mailDomain: string;
  unregisteredDomain: string;
  /** The OU path of the sync scope. */
  scope: string[];
  /** Every OU to create, as paths from the domain root. */
  ous: string[][];
  users: FixtureUser[];
}

export const fixtureFile = join(import.meta.dirname, '..', '..', 'fixtures', 'lab', 'staff.json');

/** Reads the seed fixture from fixtures/lab/staff.json. */
export function loadFixture(file: string = fixtureFile): LabFixture {
  return JSON.parse(readFileSync(file, 'utf8')) as LabFixture;
}
