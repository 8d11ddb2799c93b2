/**
 * The public API of the hosted service, one interface per concept. `HostedService` (service.ts)
 * exposes one implementation of each as a property, for example `service.domains.register()`.
 *
 * Conventions: a lookup that finds nothing returns null; a check that fails (wrong password,
 * unknown token) returns null or a result value; a request the rules reject (a synchronized
 * field, a used domain, a stale epoch) throws a UserPilotError whose code and HTTP status come
 * from src/protocol/errors.ts and whose `details` hold the facts (never a secret). Every change
 * takes the Actor who makes it and is written to the activity log.
 */
import type {
  ActivityEntry,
  ActivityQuery,
  Actor,
  Agent,
  AgentHello,
  AgentRegistration,
  AutocreateResult,
  AutolinkResult,
  BatchInput,
  BatchResult,
  DirectoryListQuery,
  DirectoryObject,
  Domain,
  EndRunResult,
  InstallCredentials,
  Lease,
  LeaseResult,
  Mailbox,
  MailboxInput,
  MailboxListQuery,
  MailboxPatch,
  Operator,
  Page,
  PasswordStatus,
  PasswordSubmission,
  PasswordSubmitStatus,
  PendingRemoval,
  Run,
  RunKind,
  ScimToken,
  Session,
  SignInResult,
  Tenant,
  TenantAdmin,
  TenantPolicies,
} from './types.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Provider operators, who create and manage tenants. */
export interface OperatorApi {
  /** Creates an operator with an argon2id hash of the password; rejects a taken user name. */
  create(input: Credentials): Promise<Operator>;
  /** Returns the operator when user name (case-insensitive) and password match, else null. */
  verifyPassword(username: string, password: string): Promise<Operator | null>;
  list(): Promise<Operator[]>;
}

/** Tenants: one customer organisation each. */
export interface TenantApi {
  /** Creates a tenant with default policies and an unheld directory lease. */
  create(input: { name: string }, actor: Actor): Promise<Tenant>;
  get(tenantId: string): Promise<Tenant | null>;
  /** Finds a tenant by name, case-insensitively. */
  getByName(name: string): Promise<Tenant | null>;
  list(): Promise<Tenant[]>;
}

/** Tenant admins, who sign in to the control panel. User names are unique across tenants. */
export interface AdminApi {
  create(tenantId: string, input: Credentials, actor: Actor): Promise<TenantAdmin>;
  /** Returns the admin when user name (case-insensitive) and password match, else null. */
  verifyPassword(username: string, password: string): Promise<TenantAdmin | null>;
  setPassword(tenantId: string, adminId: string, password: string, actor: Actor): Promise<void>;
  list(tenantId: string): Promise<TenantAdmin[]>;
}

export interface NewSession {
  subjectKind: 'admin' | 'operator';
  subjectId: string;
  tenantId: string | null;
  /** Time to live in milliseconds. */
  ttlMs: number;
}

/** Panel sessions kept in the store, so any service instance can serve any request. */
export interface SessionApi {
  /** Creates a session; the token is returned once and stored only as a SHA-256 hash. */
  create(input: NewSession): Promise<{ token: string; session: Session }>;
  /** Returns the session of a token, or null when it is unknown or expired. */
  get(token: string): Promise<Session | null>;
  delete(token: string): Promise<void>;
  /** Deletes expired sessions; returns how many. */
  deleteExpired(): Promise<number>;
}

/** Registered mail domains. A domain belongs to one tenant. */
export interface DomainApi {
  /**
   * Registers a domain and re-evaluates the tenant's directory objects: those whose UPN is in
   * this domain become eligible. Returns how many did. Rejects a name that is no DNS name or
   * is registered already (by any tenant).
   */
  register(
    tenantId: string,
    name: string,
    actor: Actor,
  ): Promise<{ domain: Domain; newlyEligible: number }>;
  list(tenantId: string): Promise<Domain[]>;
  /**
   * Removes a domain no mailbox uses. When mailboxes use it, throws UP_HOSTED_DOMAIN_IN_USE with
   * `details.mailboxCount`. Objects whose UPN is in it become not eligible.
   */
  remove(tenantId: string, domainId: string, actor: Actor): Promise<{ newlyIneligible: number }>;
}

/** Mailboxes of a tenant. */
export interface MailboxApi {
  /** Creates an unlinked mailbox; its primary address is its UPN. */
  create(tenantId: string, input: MailboxInput, actor: Actor): Promise<Mailbox>;
  /**
   * Updates a mailbox. For a linked mailbox a change of any synchronized field throws
   * UP_HOSTED_FIELD_SYNCHRONIZED naming the fields: the change must be made in the local AD.
   */
  update(tenantId: string, mailboxId: string, patch: MailboxPatch, actor: Actor): Promise<Mailbox>;
  get(tenantId: string, mailboxId: string): Promise<Mailbox | null>;
  /** Finds a mailbox by its UPN or any of its addresses, case-insensitively. */
  getByAddress(tenantId: string, address: string): Promise<Mailbox | null>;
  /** Lists mailboxes ordered by UPN, with search and keyset (or offset) paging. */
  list(tenantId: string, query?: MailboxListQuery): Promise<Page<Mailbox>>;
  /** Soft-deletes a mailbox for the tenant's retention period; a linked one is unlinked. */
  delete(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox>;
  /** Restores a soft-deleted mailbox; it is relinked when its former object is present. */
  restore(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox>;
  /** Deletes for good the mailboxes whose retention has ended; returns how many. */
  purgeExpired(): Promise<number>;
}

/** Directory objects as the agents last reported them. */
export interface DirectoryApi {
  get(tenantId: string, anchor: string): Promise<DirectoryObject | null>;
  /** Lists objects ordered by anchor, with search (UPN, display name, DN) and paging. */
  list(tenantId: string, query?: DirectoryListQuery): Promise<Page<DirectoryObject>>;
  /** Counts present objects; the base of the removal guard's percentage. */
  count(tenantId: string): Promise<number>;
}

/** Links between directory objects and mailboxes. */
export interface LinkApi {
  /**
   * Links an eligible, present, unlinked object to an unlinked mailbox and overwrites the
   * mailbox's synchronized fields with the object's values.
   */
  link(tenantId: string, anchor: string, mailboxId: string, actor: Actor): Promise<Mailbox>;
  /** Unlinks a mailbox; it keeps its values and its last synchronized password. */
  unlink(tenantId: string, mailboxId: string, actor: Actor): Promise<Mailbox>;
  /** Computes Autolink's pairs and ambiguities without changing anything. */
  previewAutolink(tenantId: string): Promise<AutolinkResult>;
  /** Links every unambiguous pair; ambiguities are returned and left unlinked. */
  applyAutolink(tenantId: string, actor: Actor): Promise<AutolinkResult>;
  /** Creates a linked mailbox for each given (or every) unlinked eligible object. */
  autocreate(tenantId: string, anchors: string[] | 'all', actor: Actor): Promise<AutocreateResult>;
}

/** Agents: registration with the tenant's install credentials, own credentials, health. */
export interface AgentApi {
  /** Creates the tenant's install user name and password, or a new password for the same user. */
  createInstallCredentials(tenantId: string, actor: Actor): Promise<InstallCredentials>;
  /** Replaces the install password; registered agents keep working with their own credential. */
  rotateInstallPassword(tenantId: string, actor: Actor): Promise<InstallCredentials>;
  /** Registers an agent; null when the install user name or password is wrong. */
  register(
    installUser: string,
    installPassword: string,
    hello: AgentHello,
  ): Promise<AgentRegistration | null>;
  /** Returns the agent a credential belongs to; null when unknown, wrong or revoked. */
  verifyCredential(credential: string): Promise<Agent | null>;
  heartbeat(tenantId: string, agentId: string, hello: AgentHello): Promise<Agent>;
  get(tenantId: string, agentId: string): Promise<Agent | null>;
  list(tenantId: string): Promise<Agent[]>;
  /** Revokes an agent's credential; it must register again. */
  revoke(tenantId: string, agentId: string, actor: Actor): Promise<void>;
}

/** The directory lease: one agent per tenant writes directory state. */
export interface LeaseApi {
  /**
   * Acquires the lease when it is free, expired or already this agent's. The epoch rises when
   * the lease passes to another agent (or after a release), and stays when the holder renews.
   */
  acquire(tenantId: string, agentId: string, ttlMs: number): Promise<LeaseResult>;
  /** Extends the lease; refused when the agent no longer holds it at this epoch. */
  renew(tenantId: string, agentId: string, epoch: number, ttlMs: number): Promise<LeaseResult>;
  /** Gives up the lease; returns false when the agent did not hold it at this epoch. */
  release(tenantId: string, agentId: string, epoch: number): Promise<boolean>;
  get(tenantId: string): Promise<Lease>;
}

/** Names a run and the lease the request claims to hold. */
export interface RunRef {
  tenantId: string;
  agentId: string;
  runId: string;
  epoch: number;
}

/** The run protocol: start, batches, end. Every call checks the lease inside its transaction. */
export interface RunApi {
  /**
   * Starts a run for the lease holder at this epoch; abandons the tenant's other open runs.
   * Throws UP_HOSTED_LEASE_NOT_HELD or UP_HOSTED_EPOCH_STALE when another agent holds the lease
   * or the epoch is older.
   */
  start(tenantId: string, agentId: string, epoch: number, kind: RunKind): Promise<Run>;
  /**
   * Applies one batch in one transaction, with a result per record and removal; a bad object
   * is rejected alone. Sending the same batch again changes nothing.
   */
  applyBatch(ref: RunRef, batch: BatchInput): Promise<BatchResult>;
  /**
   * Ends a run. For a full run that ended complete, objects missing from its manifest are
   * removed (or held by the accidental-removal guard); an incomplete run removes nothing.
   */
  end(ref: RunRef, complete: boolean): Promise<EndRunResult>;
  get(tenantId: string, runId: string): Promise<Run | null>;
  list(tenantId: string, limit?: number): Promise<Run[]>;
}

/** Removals held by the accidental-removal guard. */
export interface RemovalApi {
  listPending(tenantId: string): Promise<PendingRemoval[]>;
  /** Applies held removals; those whose object came back since become obsolete. */
  approve(tenantId: string, ids: string[] | 'all', actor: Actor): Promise<{ removed: number }>;
  /** Drops held removals; the objects stay. */
  reject(tenantId: string, ids: string[] | 'all', actor: Actor): Promise<{ rejected: number }>;
}

export interface PolicyApi {
  get(tenantId: string): Promise<TenantPolicies>;
  /** Validates and stores policy changes; turning on a standing policy does not run it now. */
  update(tenantId: string, patch: Partial<TenantPolicies>, actor: Actor): Promise<TenantPolicies>;
}

/** Synchronized passwords and mailbox sign-in. */
export interface PasswordApi {
  /**
   * Stores the argon2id hash of a captured password when it is newer (by pwdLastSet) than the
   * one held; kept for an unlinked or unknown object and used once it is linked.
   */
  submit(
    tenantId: string,
    submission: PasswordSubmission,
    actor: Actor,
  ): Promise<PasswordSubmitStatus>;
  status(tenantId: string, anchor: string): Promise<PasswordStatus>;
  /**
   * Checks a mailbox sign-in by UPN or address. Honours the enabled flag, accountExpires
   * (against the clock now) and soft deletion.
   */
  verifySignIn(login: string, password: string): Promise<SignInResult>;
}

export interface ActivityApi {
  /** Lists a tenant's activity, newest first, with keyset paging. */
  list(tenantId: string, query?: ActivityQuery): Promise<Page<ActivityEntry>>;
}

/** The failures recorded for one throttle key; `lastFailureAt` is ISO 8601 UTC text. */
export interface SignInFailures {
  failures: number;
  lastFailureAt: string;
}

/**
 * Failed sign-in counts per key, in the store, so several service instances count together.
 * Keys are normalised like user names (NFC, lower case), so `Jörg` in NFD and NFC is one key.
 */
export interface SignInThrottleApi {
  /** Adds one failure now; restarts the count at 1 when the last one is older than forgetAfterMs. */
  recordFailure(key: string, forgetAfterMs: number): Promise<SignInFailures>;
  get(key: string): Promise<SignInFailures | null>;
  clear(key: string): Promise<void>;
}

/** SCIM bearer tokens of a tenant. */
export interface ScimTokenApi {
  /** Creates a token; returned once, stored only as a SHA-256 hash. */
  create(
    tenantId: string,
    label: string,
    actor: Actor,
  ): Promise<{ token: string; info: ScimToken }>;
  /** Returns the token's record when it is known and not revoked, else null. */
  verify(token: string): Promise<ScimToken | null>;
  revoke(tenantId: string, tokenId: string, actor: Actor): Promise<void>;
  list(tenantId: string): Promise<ScimToken[]>;
}
