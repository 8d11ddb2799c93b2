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
