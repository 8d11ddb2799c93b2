import { UserPilotError, type ErrorCode } from '../../protocol/errors.ts';

/** The `scimType` values of RFC 7644 section 3.12 that UserPilot sends. */
export type ScimType =
  | 'invalidFilter'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidSyntax'
  | 'mutability'
  | 'uniqueness'
  | 'tooMany';

export type ScimErrorCode = Extract<ErrorCode, `UP_SCIM_${string}`>;

const scimTypes: Record<ScimErrorCode, ScimType | undefined> = {
  UP_SCIM_INVALID_FILTER: 'invalidFilter',
  UP_SCIM_INVALID_PATH: 'invalidPath',
  UP_SCIM_NO_TARGET: 'noTarget',
  UP_SCIM_INVALID_VALUE: 'invalidValue',
  UP_SCIM_INVALID_SYNTAX: 'invalidSyntax',
  UP_SCIM_MUTABILITY: 'mutability',
  UP_SCIM_MANAGED_BY_DIRECTORY: 'mutability',
  UP_SCIM_DOMAIN_NOT_REGISTERED: 'invalidValue',
  UP_SCIM_UNIQUENESS: 'uniqueness',
  UP_SCIM_TOO_MANY: 'tooMany',
  UP_SCIM_NOT_FOUND: undefined,
  UP_SCIM_PRECONDITION_FAILED: undefined,
  UP_SCIM_UNAUTHORIZED: undefined,
  UP_SCIM_NOT_IMPLEMENTED: undefined,
  UP_SCIM_METHOD_NOT_ALLOWED: undefined,
  UP_SCIM_UNSUPPORTED_MEDIA_TYPE: undefined,
};

export const scimErrorSchema = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The SCIM error response body of RFC 7644 section 3.12. */
export interface ScimErrorBody {
  schemas: [typeof scimErrorSchema];
  /** The HTTP status code as a string, as the RFC defines it. */
  status: string;
  scimType?: ScimType;
  detail: string;
}

/** A failure of a SCIM request; it carries its HTTP status and `scimType` through its code. */
export class ScimError extends UserPilotError {
  declare readonly code: ScimErrorCode;

  constructor(
    code: ScimErrorCode,
    message: string,
    options: { hint?: string; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, options);
    this.name = 'ScimError';
  }

  get scimType(): ScimType | undefined {
    return scimTypes[this.code];
  }

  /** Renders the error as a SCIM error body; the detail ends with the stable code. */
  toBody(): ScimErrorBody {
    const text = this.hint === undefined ? this.message : `${this.message} ${this.hint}`;
    const body: ScimErrorBody = {
      schemas: [scimErrorSchema],
      status: String(this.status),
      detail: `${text} (${this.code})`,
    };
    const scimType = this.scimType;
    if (scimType !== undefined) body.scimType = scimType;
    return body;
  }
}

/** The result of a step that can fail on the client's input. */
export type ScimResult<T> = { ok: true; value: T } | { ok: false; error: ScimError };

/** Runs `step`, returning a ScimError it throws as a failed result; other errors propagate. */
export function captureScimError<T>(step: () => T): ScimResult<T> {
  try {
    return { ok: true, value: step() };
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
}
