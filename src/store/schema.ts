/**
 * The tables of the hosted store, as Kysely sees them. The same schema runs on SQLite and
 * PostgreSQL, so it keeps to types both engines share: text, integer, and booleans as 0 or 1.
 * Times are ISO 8601 UTC text of fixed width (`2026-01-01T00:00:00.000Z`), which sorts and
 * compares correctly as text on both engines. JSON columns hold text.
 *
 * Columns ending in `_key` hold the case-insensitive form of a value (Unicode NFC, then lower
 * case), computed in TypeScript because SQLite's lower() folds only ASCII.
 */
/** 0 or 1: a boolean that SQLite and PostgreSQL store the same way. */
export type Flag = 0 | 1;

export interface OperatorsTable {
  id: string;
  username: string;
  username_key: string;
  password_hash: string;
  created_at: string;
}

export interface TenantsTable {
  id: string;
  name: string;
  name_key: string;
  created_at: string;
  /** The user name agents present at their first registration; unique across tenants. */
  agent_install_user: string | null;
  agent_install_password_hash: string | null;
  /** 'disable' (keep, disable sign-in, unlink) or 'soft-delete'. */
  leave_scope_policy: string;
  soft_delete_retention_days: number;
  removal_guard_max: number;
  removal_guard_percent: number;
  autolink_standing: Flag;
  autocreate_standing: Flag;
  password_min_length: number;
}

export interface AdminsTable {
  id: string;
  tenant_id: string;
  username: string;
  username_key: string;
  password_hash: string;
  created_at: string;
}

export interface SessionsTable {
  /** SHA-256 of the session token, hex; the token itself is never stored. */
  token_hash: string;
  subject_kind: string;
  subject_id: string;
  tenant_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface DomainsTable {
  id: string;
  tenant_id: string;
  name: string;
  name_key: string;
  created_at: string;
}

export interface MailboxesTable {
  id: string;
  tenant_id: string;
  upn: string;
  upn_key: string;
  display_name: string | null;
  display_name_key: string | null;
  /** Profile fields (given name, title, phone numbers, ...) as a JSON object. */
  profile: string;
  enabled: Flag;
  /** accountExpires as reported by AD for a linked mailbox; null for never. */
  account_expires: string | null;
  /** The mailbox's own password hash, used while it is not linked. */
  password_hash: string | null;
  password_set_at: string | null;
  linked_anchor: string | null;
  linked_at: string | null;
  /** The anchor this mailbox was linked to when its object left the scope; used to relink. */
  former_anchor: string | null;
  deleted_at: string | null;
  purge_after: string | null;
  created_at: string;
  updated_at: string;
}

export interface MailboxAddressesTable {
  tenant_id: string;
  mailbox_id: string;
  address: string;
  address_key: string;
  is_primary: Flag;
}

export interface DirectoryObjectsTable {
  tenant_id: string;
  anchor: string;
  dn: string;
  upn: string | null;
  upn_key: string | null;
  display_name: string | null;
  display_name_key: string | null;
  /** The whole DirectoryUserRecord as JSON. */
  record: string;
  /** SHA-256 of the canonical record JSON; an equal hash means an unchanged object. */
  record_hash: string;
  eligible: Flag;
  ineligible_reason: string | null;
  /** 'present' or 'removed'. */
  state: string;
  removed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ObjectPasswordsTable {
  tenant_id: string;
  anchor: string;
  password_hash: string;
  pwd_last_set: string;
  received_at: string;
}

export interface AgentsTable {
  id: string;
  tenant_id: string;
  host: string;
  dc: string;
  version: string;
  /** SHA-256 of the agent's own credential, hex. */
  credential_hash: string;
  registered_at: string;
  last_heartbeat_at: string | null;
  revoked_at: string | null;
}

export interface LeasesTable {
  tenant_id: string;
  agent_id: string | null;
  epoch: number;
  acquired_at: string | null;
  expires_at: string | null;
}

export interface RunsTable {
  id: string;
  tenant_id: string;
  agent_id: string;
  epoch: number;
  /** 'full' or 'delta'. */
  kind: string;
  /** 'open', 'complete', 'incomplete' or 'abandoned'. */
  state: string;
  started_at: string;
  ended_at: string | null;
  /** Counters of the run as JSON. */
  summary: string;
}

export interface RunManifestTable {
  run_id: string;
  anchor: string;
}

export interface PendingRemovalsTable {
  id: string;
  tenant_id: string;
  anchor: string;
  run_id: string | null;
  /** 'full' or 'delta'. */
  source: string;
  /** 'pending', 'approved', 'rejected' or 'obsolete'. */
  state: string;
  held_at: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface DeltaRemovalsTable {
  id: string;
  tenant_id: string;
  anchor: string;
  at: string;
  held: Flag;
}

export interface ActivityTable {
  id: string;
  tenant_id: string | null;
  at: string;
  actor: string;
  action: string;
  object_type: string;
  object_id: string | null;
  before: string | null;
  after: string | null;
}

export interface ScimTokensTable {
  id: string;
  tenant_id: string;
  label: string;
  token_hash: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Failed sign-ins per throttle key (an account or a client address), shared by all instances. */
export interface SignInFailuresTable {
  key: string;
  failures: number;
  last_failure_at: string;
}

export interface Database {
  operators: OperatorsTable;
  tenants: TenantsTable;
  admins: AdminsTable;
  sessions: SessionsTable;
  domains: DomainsTable;
  mailboxes: MailboxesTable;
  mailbox_addresses: MailboxAddressesTable;
  directory_objects: DirectoryObjectsTable;
  object_passwords: ObjectPasswordsTable;
  agents: AgentsTable;
  leases: LeasesTable;
  runs: RunsTable;
  run_manifest: RunManifestTable;
  pending_removals: PendingRemovalsTable;
  delta_removals: DeltaRemovalsTable;
  activity: ActivityTable;
  scim_tokens: ScimTokensTable;
  sign_in_failures: SignInFailuresTable;
}
