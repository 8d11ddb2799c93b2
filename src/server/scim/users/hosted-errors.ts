import { isUserPilotError } from '../../../protocol/errors.ts';
import { ScimError, type ScimErrorCode } from '../errors.ts';

/** The SCIM code of each hosted-service rejection a SCIM write can meet. */
const scimCodes: Partial<Record<string, ScimErrorCode>> = {
  UP_HOSTED_ADDRESS_TAKEN: 'UP_SCIM_UNIQUENESS',
  UP_HOSTED_DOMAIN_NOT_REGISTERED: 'UP_SCIM_DOMAIN_NOT_REGISTERED',
  UP_HOSTED_ADDRESS_INVALID: 'UP_SCIM_INVALID_VALUE',
  UP_HOSTED_VALUE_TOO_LONG: 'UP_SCIM_INVALID_VALUE',
  UP_HOSTED_INPUT_INVALID: 'UP_SCIM_INVALID_VALUE',
  UP_HOSTED_PASSWORD_POLICY: 'UP_SCIM_INVALID_VALUE',
  UP_HOSTED_FIELD_SYNCHRONIZED: 'UP_SCIM_MANAGED_BY_DIRECTORY',
  UP_HOSTED_ALREADY_LINKED: 'UP_SCIM_MANAGED_BY_DIRECTORY',
  UP_HOSTED_MAILBOX_NOT_FOUND: 'UP_SCIM_NOT_FOUND',
  UP_HOSTED_MAILBOX_DELETED: 'UP_SCIM_NOT_FOUND',
};

/**
 * Runs a hosted-service call and turns its rejections into SCIM errors with the same message,
 * hint and facts. Other failures propagate and become a 500.
 */
export async function withScimErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isUserPilotError(error)) throw error;
    const code = scimCodes[error.code];
    if (code === undefined) throw error;
    const options = error.hint === undefined ? {} : { hint: error.hint };
    throw new ScimError(code, error.message, {
      ...options,
      details: { ...error.details, cause_code: error.code },
    });
  }
}
