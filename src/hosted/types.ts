/**
 * The public types of the hosted domain logic. The server, SCIM and the control panel build on
 * these; fields are only ever added.
 */
import type { ErrorCode } from '../protocol/errors.ts';
import type { DirectoryUserRecord } from '../protocol/records.ts';

/** Who made a change, as written to the activity log. */
export type Actor =
  | { kind: 'operator'; id: string }
  | { kind: 'admin'; id: string }
  | { kind: 'agent'; id: string }
  | { kind: 'scim'; id: string }
  | { kind: 'system' };

export interface Operator {
  id: string;
  username: string;
  createdAt: string;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
  /** The user name agents present at their first registration, once install credentials exist. */
  agentInstallUser: string | null;
}

export interface TenantAdmin {
  id: string;
  tenantId: string;
  username: string;
  createdAt: string;
}

/** What a policy does with the mailbox of an object that leaves the scope. */
export type LeaveScopePolicy = 'disable' | 'soft-delete';

export interface TenantPolicies {
  /** 'disable' (default) keeps the mailbox, disables sign-in and unlinks it. */
  leaveScope: LeaveScopePolicy;
  /** Days a soft-deleted mailbox stays restorable. */
  softDeleteRetentionDays: number;
  /** Removals above min(removalGuardMax, removalGuardPercent % of objects) are held. */
  removalGuardMax: number;
  removalGuardPercent: number;
  /** Autolink objects that arrive later, as a standing policy. */
  autolink: boolean;
  /** Autocreate mailboxes for eligible objects that stay unlinked, as a standing policy. */
  autocreate: boolean;
  /** Minimum password length in Unicode code points. */
  passwordMinLength: number;
}

export interface Domain {
  id: string;
  tenantId: string;
  name: string;
  createdAt: string;
}

export const mailboxProfileFields = [
  'givenName',
  'sn',
  'initials',
  'title',
  'department',
  'company',
  'office',
  'telephoneNumber',
  'mobile',
  'fax',
  'homePhone',
  'street',
  'city',
  'state',
  'postalCode',
  'country',
  'description',
  'employeeId',
] as const satisfies readonly (keyof DirectoryUserRecord)[];

/** The profile fields of a mailbox that a linked directory object overwrites, typed as in the
 * directory record they come from. */
export type MailboxProfile = Pick<DirectoryUserRecord, (typeof mailboxProfileFields)[number]>;

export interface Mailbox {
  id: string;
  tenantId: string;
  upn: string;
  /** Equal to the UPN (rule: the primary SMTP address is the UPN). */
  primaryAddress: string;
  /** Addresses other than the primary one, in insertion order. */
  otherAddresses: string[];
  displayName: string | null;
  profile: MailboxProfile;
  /** Sign-in flag; for a linked mailbox it follows AD's userAccountControl bit 0x2. */
  enabled: boolean;
  accountExpires: string | null;
  linkedAnchor: string | null;
  linkedAt: string | null;
  deletedAt: string | null;
  purgeAfter: string | null;
  createdAt: string;
  updatedAt: string;
  password: PasswordStatus;
}

/** The fields of a mailbox that a linked directory object owns; edits of them are rejected. */
export const synchronizedMailboxFields = [
  'upn',
  'otherAddresses',
  'displayName',
  'profile',
  'enabled',
] as const;

export interface MailboxInput {
  upn: string;
  otherAddresses?: string[];
  displayName?: string | null;
  profile?: Partial<MailboxProfile>;
  enabled?: boolean;
  /** A password for the mailbox's own sign-in while it is not linked. */
  password?: string;
}

export interface MailboxPatch {
  upn?: string;
  otherAddresses?: string[];
  displayName?: string | null;
  profile?: Partial<MailboxProfile>;
  enabled?: boolean;
  password?: string;
}

export interface MailboxListQuery {
  /** Case-insensitive substring of the UPN, an address or the display name. */
  search?: string;
  linked?: boolean;
  includeDeleted?: boolean;
  /** Only soft-deleted mailboxes (overrides includeDeleted). */
  deleted?: true;
  /** At most 500; default 50. */
  limit?: number;
  /** Keyset paging: the `nextCursor` of the previous page. Preferred over offset. */
  cursor?: string;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Why a directory object is not synchronized (rule: UPN and primary address). */
export type IneligibleReason = 'upn-not-email' | 'upn-domain-not-registered';

export interface DirectoryObject {
  anchor: string;
  tenantId: string;
  dn: string;
  record: DirectoryUserRecord;
  eligible: boolean;
  reason: IneligibleReason | null;
  /** What an admin can do about the reason, in one sentence; null when eligible. */
  reasonHint: string | null;
  state: 'present' | 'removed';
  linkedMailboxId: string | null;
  removedAt: string | null;
  createdAt: string;
  updatedAt: string;
  password: PasswordStatus;
}

export interface DirectoryListQuery {
  search?: string;
  linked?: boolean;
  eligible?: boolean;
  state?: 'present' | 'removed';
  limit?: number;
  cursor?: string;
  offset?: number;
}

export type PasswordStatus =
  { synchronized: true; pwdLastSet: string; receivedAt: string } | { synchronized: false };

/** One proposed Autolink pair. */
export interface AutolinkPair {
  anchor: string;
  mailboxId: string;
  by: 'upn' | 'displayName';
}

/** A key that matched more than one candidate on some side; nothing of it is linked. */
export interface AutolinkAmbiguity {
  by: 'upn' | 'displayName';
  /** The UPN or display name, as the first candidate holds it. */
  value: string;
  anchors: string[];
  mailboxIds: string[];
}

export interface AutolinkResult {
  pairs: AutolinkPair[];
  ambiguities: AutolinkAmbiguity[];
}

export interface AutocreateResult {
  created: { anchor: string; mailboxId: string }[];
  skipped: { anchor: string; code: ErrorCode; message: string }[];
}

export interface Agent {
  id: string;
  tenantId: string;
  host: string;
  dc: string;
  version: string;
  registeredAt: string;
  lastHeartbeatAt: string | null;
  revokedAt: string | null;
  /** True while this agent holds an unexpired directory lease. */
  holdsLease: boolean;
}

export interface AgentHello {
  host: string;
  dc: string;
  version: string;
}

export interface AgentRegistration {
  agentId: string;
  tenantId: string;
  /** The agent's own credential; shown once, stored only as a hash. */
  credential: string;
}

export interface InstallCredentials {
  user: string;
  /** Shown once, stored only as an argon2id hash. */
  password: string;
}

export interface Lease {
  tenantId: string;
  agentId: string | null;
  epoch: number;
  acquiredAt: string | null;
  expiresAt: string | null;
}

export type LeaseResult =
  | { acquired: true; lease: Lease }
  | { acquired: false; lease: Lease; reason: 'held-by-other' | 'not-holder' | 'epoch-stale' };

export type RunKind = 'full' | 'delta';

export interface RunSummary {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  removed: number;
  held: number;
  manifest: number;
}

export interface Run {
  id: string;
  tenantId: string;
  agentId: string;
  epoch: number;
  kind: RunKind;
  state: 'open' | 'complete' | 'incomplete' | 'abandoned';
  startedAt: string;
  endedAt: string | null;
  summary: RunSummary;
}

export interface BatchInput {
  records?: DirectoryUserRecord[];
  /** Anchors removed from the scope (deleted in AD or moved out), for delta runs. */
  removals?: string[];
  /** Anchors of the scope, for full runs; records of the run count as listed too. */
  manifest?: string[];
}

export type ObjectStatus =
  'created' | 'updated' | 'unchanged' | 'removed' | 'held' | 'deferred' | 'rejected';

/** The result of one record or removal of a batch. */
export interface ObjectResult {
  anchor: string;
  status: ObjectStatus;
  /** Set for records that were stored. */
  eligible?: boolean;
  reason?: IneligibleReason | null;
  /** Set for 'rejected': the code, the attribute at fault and a message naming both. */
  code?: ErrorCode;
  attribute?: string;
  message?: string;
  /** The mailbox the object is linked to after the batch, if any. */
  mailboxId?: string | null;
}

export interface BatchResult {
  runId: string;
  results: ObjectResult[];
}

export interface EndRunResult {
  run: Run;
  /** Objects removed because the complete full read did not contain them. */
  removed: number;
  /** Removals held by the accidental-removal guard for an admin to approve. */
  held: number;
}

export interface PendingRemoval {
  id: string;
  tenantId: string;
  anchor: string;
  runId: string | null;
  source: 'full' | 'delta';
  state: 'pending' | 'approved' | 'rejected' | 'obsolete';
  heldAt: string;
  decidedAt: string | null;
  dn: string | null;
  displayName: string | null;
}

export interface PasswordSubmission {
  anchor: string;
  /** Clear text, used only to compute the hash. */
  password: string;
  /** The change's time in AD, ISO 8601 UTC. */
  pwdLastSet: string;
}

export type PasswordSubmitStatus =
  /** Stored as the object's newest password. */
  | 'stored'
  /** Not stored: an equal or newer password is already held. */
  | 'stale'
  /** Not stored: the tenant's password policy rejected it; an event is recorded. */
  | 'policy-violation';

export type SignInResult =
  | { ok: true; mailboxId: string; tenantId: string }
  | {
      ok: false;
      reason:
        | 'unknown-login'
        | 'wrong-password'
        | 'disabled'
        | 'expired'
        | 'deleted'
        | 'password-not-synchronized';
    };

export interface ActivityEntry {
  id: string;
  tenantId: string | null;
  at: string;
  actor: string;
  action: string;
  objectType: string;
  objectId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export interface ActivityQuery {
  limit?: number;
  cursor?: string;
  objectType?: string;
  objectId?: string;
  /** Actor text (`admin:<id>`, `agent:<id>`, `system`), exact; a list matches any of them. */
  actor?: string | readonly string[];
  /** Entries at or after this ISO 8601 time. */
  since?: string;
  /** Entries at or before this ISO 8601 time. */
  until?: string;
}

export interface Session {
  subjectKind: 'admin' | 'operator';
  subjectId: string;
  tenantId: string | null;
  createdAt: string;
  expiresAt: string;
}

export interface ScimToken {
  id: string;
  tenantId: string;
  label: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
