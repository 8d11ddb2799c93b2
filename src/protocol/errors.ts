/**
 * The registry of UserPilot error codes. Every error that reaches an admin, an agent or a log
 * carries one of these codes. A code is never reused for another meaning; retired codes stay
 * listed with `retired: true`. docs/errors.md documents each code under an anchor of the same
 * name.
 *
 * Parts add their codes in their own section below, keeping the `UP_<PART>_` prefix.
 */
export interface ErrorCodeInfo {
  /** HTTP status used when the error crosses the agent API, SCIM or the panel. */
  readonly status: number;
  /** One-line description of the condition, for docs and for callers that lack a message. */
  readonly summary: string;
  readonly retired?: true;
}

export const errorCodes = {
  // Configuration and start-up.
  UP_CONFIG_INVALID: { status: 500, summary: 'The configuration failed validation.' },
  UP_CONFIG_INSECURE_MODE: {
    status: 500,
    summary: 'A file that holds secrets is readable by group or others.',
  },

  // Lab directory.
  UP_LAB_SAMBA_MISSING: { status: 500, summary: "Samba's AD DC packages are not installed." },
  UP_LAB_NOT_ROOT: { status: 500, summary: 'The lab needs root to create its network namespace.' },
  UP_LAB_PORT_IN_USE: { status: 500, summary: 'A port the lab relays to is already taken.' },
  UP_LAB_PROVISION_FAILED: { status: 500, summary: 'Provisioning the lab domain failed.' },
  UP_LAB_START_TIMEOUT: { status: 500, summary: 'LDAPS did not answer in time after start.' },
  UP_LAB_BROKEN: { status: 500, summary: 'The lab folder is half provisioned or damaged.' },
  UP_LAB_NOT_RUNNING: { status: 500, summary: 'The lab is not running.' },
  UP_LAB_COMMAND_FAILED: { status: 500, summary: 'A Samba or system command of the lab failed.' },
  UP_LAB_BUSY: { status: 500, summary: 'Another lab command holds the lab lock.' },
  UP_LAB_DIR_INVALID: { status: 500, summary: 'The lab folder cannot be used.' },
  UP_LAB_SEED_FAILED: { status: 500, summary: 'Seeding users into the lab failed.' },
  UP_LAB_ARCHIVE_FAILED: { status: 500, summary: 'Saving or restoring a lab archive failed.' },

  // SCIM 2.0 API. Each code maps to one SCIM `scimType` (or none) in src/server/scim/errors.ts.
  UP_SCIM_INVALID_FILTER: { status: 400, summary: 'A SCIM filter is malformed or unsupported.' },
  UP_SCIM_INVALID_PATH: { status: 400, summary: 'A SCIM PATCH path is malformed or unknown.' },
  UP_SCIM_NO_TARGET: { status: 400, summary: 'A SCIM PATCH path matched no value.' },
  UP_SCIM_INVALID_VALUE: { status: 400, summary: 'A SCIM attribute value is invalid.' },
  UP_SCIM_INVALID_SYNTAX: { status: 400, summary: 'A SCIM request body is malformed.' },
  UP_SCIM_MUTABILITY: { status: 400, summary: 'A SCIM request changes a read-only attribute.' },
  UP_SCIM_MANAGED_BY_DIRECTORY: {
    status: 400,
    summary: 'A SCIM request changes an attribute that the local Active Directory manages.',
  },
  UP_SCIM_DOMAIN_NOT_REGISTERED: {
    status: 400,
    summary: 'A SCIM userName or email uses a domain not registered for the tenant.',
  },
  UP_SCIM_UNIQUENESS: { status: 409, summary: 'A SCIM userName or email is already in use.' },
  UP_SCIM_TOO_MANY: {
    status: 400,
    summary: 'A SCIM PATCH request has more operations than the server accepts.',
  },
  UP_SCIM_NOT_FOUND: { status: 404, summary: 'The SCIM resource does not exist.' },
  UP_SCIM_PRECONDITION_FAILED: { status: 412, summary: 'The SCIM If-Match version is stale.' },
  UP_SCIM_UNAUTHORIZED: { status: 401, summary: 'The SCIM bearer token is missing or invalid.' },
  UP_SCIM_NOT_IMPLEMENTED: { status: 501, summary: 'The SCIM feature is not supported.' },
  UP_SCIM_METHOD_NOT_ALLOWED: {
    status: 405,
    summary: 'The SCIM endpoint does not accept this HTTP method.',
  },
  UP_SCIM_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary: 'The SCIM request body is not JSON.',
  },

  // Agent API (src/server/agent). Expected outcomes of the sync protocol that the agent acts on.
  UP_AGENT_API_AGENT_TIME_MISSING: {
    status: 400,
    summary: 'The request lacks a valid X-UserPilot-Agent-Time header.',
  },
  UP_AGENT_API_CLOCK_SKEW: {
    status: 400,
    summary: "The agent's clock differs from the service's by more than 5 minutes.",
  },
  UP_AGENT_API_BAD_CREDENTIALS: {
    status: 401,
    summary: 'The agent install user name or password is incorrect.',
  },
  UP_AGENT_API_UNAUTHORIZED: {
    status: 401,
    summary: "The agent's credential is missing, unknown or revoked.",
  },
  UP_AGENT_API_INVALID_BODY: { status: 400, summary: 'A request field failed validation.' },
  UP_AGENT_API_MALFORMED_JSON: { status: 400, summary: 'The request body is not valid JSON.' },
  UP_AGENT_API_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    summary: 'The request body is not application/json.',
  },
  UP_AGENT_API_BATCH_TOO_LARGE: {
    status: 413,
    summary: 'A batch holds more records and removals than one batch allows.',
  },
  UP_AGENT_API_BODY_TOO_LARGE: { status: 413, summary: 'The request body exceeds the size limit.' },
  UP_AGENT_API_LEASE_NOT_HELD: {
    status: 409,
    summary: 'The agent does not hold the directory lease.',
  },
  UP_AGENT_API_STALE_EPOCH: {
    status: 409,
    summary: 'The request carries an epoch older than the current lease.',
  },
  UP_AGENT_API_RUN_NOT_FOUND: {
    status: 404,
    summary: 'No run with this id exists for the tenant.',
  },
  UP_AGENT_API_RUN_ENDED: { status: 409, summary: 'The run has already ended.' },
  UP_AGENT_API_MANIFEST_IN_DELTA: {
    status: 400,
    summary: 'A batch of a delta run carries a manifest.',
  },
  UP_AGENT_API_NOT_FOUND: { status: 404, summary: 'No agent API route matches the request.' },
  UP_AGENT_API_INTERNAL: { status: 500, summary: 'The service failed while handling the request.' },

  // Serving (src/server, `userpilot server`).
  UP_SERVER_INSECURE_LISTEN: {
    status: 500,
    summary: 'Plain HTTP was requested on an address that is not loopback.',
  },
  UP_SERVER_LISTEN_INVALID: { status: 500, summary: 'The listen address is malformed.' },
  UP_SERVER_LISTEN_FAILED: { status: 500, summary: 'The server could not listen on its address.' },
  UP_SERVER_TLS_MISSING: {
    status: 500,
    summary: 'The TLS certificate or key file is missing or unreadable.',
  },
  UP_SERVER_DATA_EXISTS: { status: 500, summary: 'The data folder is already initialized.' },
  UP_SERVER_DATA_MISSING: { status: 500, summary: 'The data folder is not initialized.' },
  UP_SERVER_TENANT_NOT_FOUND: { status: 500, summary: 'No tenant with this name exists.' },
  UP_SERVER_ROUTE_NOT_FOUND: { status: 404, summary: 'No route matches the request.' },
  UP_SERVER_INTERNAL: { status: 500, summary: 'The server failed while handling the request.' },

  // Agent service (src/agent, `userpilot agent|setup|status|diagnose|demo`).
  UP_AGENT_CONFIG_MISSING: { status: 500, summary: 'The agent configuration file cannot be read.' },
  UP_AGENT_SERVICE_UNREACHABLE: {
    status: 503,
    summary: 'The agent cannot reach the hosted service (DNS, TCP, TLS or HTTP status).',
  },
  UP_AGENT_PASSWORD_INCORRECT: {
    status: 401,
    summary: 'The service rejected the agent install user name or password.',
  },
  UP_AGENT_CLOCK_SKEW: {
    status: 400,
    summary: "The agent's clock is more than 5 minutes away from the service's.",
  },
  UP_AGENT_CREDENTIAL_REVOKED: {
    status: 401,
    summary: "The service no longer accepts the agent's own credential.",
  },
  UP_AGENT_SERVICE_ERROR: {
    status: 502,
    summary: 'The service rejected a request of the agent with an error it cannot resolve.',
  },
  UP_AGENT_STATE_LOCKED: {
    status: 500,
    summary: 'Another agent process already uses this state folder.',
  },
  UP_AGENT_STATE_MISSING: { status: 500, summary: 'The agent state database does not exist.' },
  UP_AGENT_SETUP_INVALID: { status: 400, summary: 'A setup option is missing or invalid.' },
  UP_AGENT_DIRECTORY_CHECK_FAILED: {
    status: 500,
    summary: 'The directory connection, scope or rights check of setup failed.',
  },
  UP_AGENT_LEASE_HELD: {
    status: 409,
    summary: 'Another agent holds the directory lease, so this one stands by.',
  },

  // Directory reader (LDAP connection, reads, deltas).
  UP_DIRECTORY_URL_INVALID: {
    status: 400,
    summary: 'The directory URL is not ldap:// or ldaps://.',
  },
  UP_DIRECTORY_UNREACHABLE: { status: 502, summary: 'The domain controller could not be reached.' },
  UP_DIRECTORY_CONNECT_TIMEOUT: {
    status: 504,
    summary: 'The connection to the domain controller timed out.',
  },
  UP_DIRECTORY_TLS_FAILED: {
    status: 502,
    summary: 'TLS with the domain controller failed, usually over its certificate.',
  },
  UP_DIRECTORY_BAD_PASSWORD: { status: 401, summary: 'The bind password is incorrect (AD 52e).' },
  UP_DIRECTORY_USER_NOT_FOUND: {
    status: 401,
    summary: 'The bind account does not exist (AD 525).',
  },
  UP_DIRECTORY_ACCOUNT_LOCKED: { status: 401, summary: 'The bind account is locked out (AD 775).' },
  UP_DIRECTORY_ACCOUNT_DISABLED: { status: 401, summary: 'The bind account is disabled (AD 533).' },
  UP_DIRECTORY_ACCOUNT_EXPIRED: { status: 401, summary: 'The bind account has expired (AD 701).' },
  UP_DIRECTORY_PASSWORD_EXPIRED: {
    status: 401,
    summary: "The bind account's password has expired (AD 532).",
  },
  UP_DIRECTORY_PASSWORD_MUST_CHANGE: {
    status: 401,
    summary: 'The bind account must change its password first (AD 773).',
  },
  UP_DIRECTORY_LOGON_HOURS: {
    status: 401,
    summary: 'The bind account may not log on at this time (AD 530).',
  },
  UP_DIRECTORY_INVALID_CREDENTIALS: {
    status: 401,
    summary: 'The domain controller rejected the bind credentials (LDAP 49).',
  },
  UP_DIRECTORY_BIND_FAILED: {
    status: 502,
    summary: 'The bind failed for a reason other than credentials.',
  },
  UP_DIRECTORY_PASSWORD_MISSING: { status: 400, summary: 'No bind password was given.' },
  UP_DIRECTORY_OPERATION_TIMEOUT: {
    status: 504,
    summary: 'An LDAP operation did not complete in time.',
  },
  UP_DIRECTORY_CONNECTION_LOST: {
    status: 502,
    summary: 'The connection to the domain controller was lost.',
  },
  UP_DIRECTORY_OPERATION_FAILED: { status: 502, summary: 'An LDAP operation failed.' },
  UP_DIRECTORY_READ_INCOMPLETE: {
    status: 502,
    summary: 'A read of the scope ended early; its result is not a complete list.',
  },
  UP_DIRECTORY_DN_INVALID: { status: 400, summary: 'A DN is not valid RFC 4514 text.' },
  UP_DIRECTORY_SCOPE_NOT_FOUND: { status: 404, summary: 'The scope DN does not exist.' },
  UP_DIRECTORY_SCOPE_NOT_OU: {
    status: 400,
    summary: 'The scope DN is not an organizational unit.',
  },
  UP_DIRECTORY_SCOPE_OUTSIDE_DOMAIN: {
    status: 400,
    summary: "The scope DN is outside the domain's naming context.",
  },
  UP_DIRECTORY_ENTRY_UNDECODABLE: {
    status: 422,
    summary: 'A value of one entry could not be decoded; the entry was skipped.',
  },
  UP_DIRECTORY_WATERMARK_INVALID: { status: 400, summary: 'A delta watermark is not readable.' },
  UP_DIRECTORY_FULL_READ_REQUIRED: {
    status: 409,
    summary: 'The watermark cannot be used on this DC, so a full read is needed.',
  },

  // Hosted store.
  UP_STORE_URL_INVALID: {
    status: 500,
    summary: 'The store URL names no SQLite file or PostgreSQL database.',
  },
  UP_STORE_OPEN_FAILED: { status: 500, summary: 'The store could not be opened.' },
  UP_STORE_MIGRATION_FAILED: { status: 500, summary: 'Migrating the store schema failed.' },

  // Hosted domain logic.
  UP_HOSTED_INPUT_INVALID: {
    status: 400,
    summary: 'A value passed to the hosted service is invalid.',
  },
  UP_HOSTED_TENANT_NOT_FOUND: { status: 404, summary: 'No tenant has this id.' },
  UP_HOSTED_MAILBOX_NOT_FOUND: { status: 404, summary: 'No mailbox of the tenant has this id.' },
  UP_HOSTED_OBJECT_NOT_FOUND: {
    status: 404,
    summary: 'No directory object of the tenant has this anchor.',
  },
  UP_HOSTED_AGENT_NOT_FOUND: { status: 404, summary: 'No agent of the tenant has this id.' },
  UP_HOSTED_RUN_NOT_FOUND: { status: 404, summary: 'No run of the tenant has this id.' },
  UP_HOSTED_NAME_TAKEN: { status: 409, summary: 'The name is already in use.' },
  UP_HOSTED_DOMAIN_INVALID: { status: 400, summary: 'The domain name is not a valid DNS name.' },
  UP_HOSTED_DOMAIN_IN_USE: { status: 409, summary: 'Mailboxes still use the domain.' },
  UP_HOSTED_DOMAIN_NOT_REGISTERED: {
    status: 400,
    summary: 'An address is in a domain the tenant has not registered.',
  },
  UP_HOSTED_ADDRESS_INVALID: { status: 400, summary: 'A value is not a valid email address.' },
  UP_HOSTED_ADDRESS_TAKEN: {
    status: 409,
    summary: 'Another mailbox of the tenant has the address.',
  },
  UP_HOSTED_VALUE_TOO_LONG: { status: 400, summary: 'A value is longer than its field allows.' },
  UP_HOSTED_RECORD_INVALID: { status: 400, summary: 'A directory record is malformed.' },
  UP_HOSTED_FIELD_SYNCHRONIZED: {
    status: 409,
    summary: 'The field of a linked mailbox is owned by the local AD.',
  },
  UP_HOSTED_NOT_ELIGIBLE: {
    status: 409,
    summary: 'The directory object is not eligible for synchronization.',
  },
  UP_HOSTED_ALREADY_LINKED: {
    status: 409,
    summary: 'The object or the mailbox is already linked.',
  },
  UP_HOSTED_NOT_LINKED: { status: 409, summary: 'The mailbox is not linked.' },
  UP_HOSTED_OBJECT_REMOVED: { status: 409, summary: 'The directory object has left the scope.' },
  UP_HOSTED_MAILBOX_DELETED: { status: 409, summary: 'The mailbox is soft-deleted.' },
  UP_HOSTED_PASSWORD_POLICY: {
    status: 400,
    summary: "The password does not meet the tenant's policy.",
  },
  UP_HOSTED_LEASE_NOT_HELD: {
    status: 409,
    summary: 'The agent does not hold the directory lease.',
  },
  UP_HOSTED_EPOCH_STALE: {
    status: 409,
    summary: 'The request carries an epoch older than the lease.',
  },
  UP_HOSTED_RUN_CLOSED: { status: 409, summary: 'The run has ended or was abandoned.' },
  UP_HOSTED_REMOVAL_NOT_PENDING: { status: 409, summary: 'The held removal was already decided.' },

  // Control panel (src/server/panel).
  UP_PANEL_SIGN_IN_FAILED: { status: 401, summary: 'The user name or password is incorrect.' },
  UP_PANEL_SIGN_IN_THROTTLED: {
    status: 429,
    summary: 'Too many failed sign-ins; the next attempt must wait.',
  },
  UP_PANEL_SESSION_REQUIRED: { status: 401, summary: 'The page needs a signed-in session.' },
  UP_PANEL_CSRF_INVALID: { status: 403, summary: 'A form arrived without its valid CSRF token.' },
  UP_PANEL_FORBIDDEN: { status: 403, summary: 'The signed-in account may not use this page.' },
  UP_PANEL_NOT_FOUND: { status: 404, summary: 'The page or the object it names does not exist.' },
  UP_PANEL_FORM_INVALID: { status: 400, summary: 'A form field is missing or invalid.' },
  UP_PANEL_INTERNAL: { status: 500, summary: 'The panel failed while handling the request.' },

  // Password synchronization (src/agent/password, the password and mailbox sign-in routes).
  UP_PASSWORD_KEY_INSECURE: {
    status: 500,
    summary: 'The outbox encryption key file is readable by group or others.',
  },
  UP_PASSWORD_KEY_INVALID: { status: 500, summary: 'The outbox encryption key file is damaged.' },
  UP_PASSWORD_SEAL_INVALID: {
    status: 500,
    summary: 'A queued password cannot be decrypted with the current key.',
  },
  UP_PASSWORD_STORE_UNREACHABLE: {
    status: 500,
    summary: "Samba's privileged LDAP socket cannot be reached.",
  },
  UP_PASSWORD_GPG_FAILED: { status: 500, summary: 'gpg failed to decrypt a captured password.' },
  UP_PASSWORD_TLS_REQUIRED: {
    status: 500,
    summary: 'Passwords are sent only over HTTPS, and the service URL is not https://.',
  },
  UP_PASSWORD_SIGN_IN_FAILED: {
    status: 401,
    summary: 'The mailbox address or password is incorrect, or sign-in is not allowed.',
  },
  UP_PASSWORD_SIGN_IN_INVALID: {
    status: 400,
    summary: 'The mailbox sign-in request lacks the address or the password.',
  },
  UP_PASSWORD_PREPARE_FAILED: {
    status: 500,
    summary: 'Preparing the Samba DC for password capture failed.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof errorCodes;

/**
 * A failure with a stable code, the offending value and the next step for the reader.
 * Expected outcomes (a wrong password, an object not found) are returned as values instead.
 */
export class UserPilotError extends Error {
  readonly code: ErrorCode;
  /** What the reader should do next; shown after the message. */
  readonly hint: string | undefined;
  /** Machine-readable facts about the failure. Never holds a secret. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserPilotError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  get status(): number {
    return errorCodes[this.code].status;
  }

  /** Formats the error as one line for a terminal: message, then what to do. */
  toLine(): string {
    return this.hint === undefined
      ? `${this.code}: ${this.message}`
      : `${this.code}: ${this.message} ${this.hint}`;
  }
}

export function isUserPilotError(value: unknown, code?: ErrorCode): value is UserPilotError {
  return value instanceof UserPilotError && (code === undefined || value.code === code);
}
