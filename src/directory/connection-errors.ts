import { InvalidCredentialsError, ResultCodeError } from 'ldapts';
import { type ErrorCode, UserPilotError } from '../protocol/errors.ts';

/**
 * Turns what ldapts and Node throw while connecting, binding or searching into UserPilot errors
 * an admin can act on. AD puts the reason of an LDAP 49 into its diagnostic message as
 * `data 52e`; the sub-codes below are Win32 error codes (MS-ERREF 2.2).
 */

interface SubCodeInfo {
  code: ErrorCode;
  message: string;
  hint: string;
}

const bindSubCodes: Record<string, SubCodeInfo> = {
  '52e': {
    code: 'UP_DIRECTORY_BAD_PASSWORD',
    message: 'Password is incorrect for the bind account',
    hint: 'Check the bind password; repeated failures lock the account.',
  },
  '525': {
    code: 'UP_DIRECTORY_USER_NOT_FOUND',
    message: 'The bind account does not exist',
    hint: 'Check the bind DN or UPN.',
  },
  '530': {
    code: 'UP_DIRECTORY_LOGON_HOURS',
    message: 'The bind account may not log on at this time',
    hint: 'Allow all logon hours for the account in AD.',
  },
  '532': {
    code: 'UP_DIRECTORY_PASSWORD_EXPIRED',
    message: "The bind account's password has expired",
    hint: 'Set a new password for the account in AD.',
  },
  '533': {
    code: 'UP_DIRECTORY_ACCOUNT_DISABLED',
    message: 'The bind account is disabled',
    hint: 'Enable the account in AD.',
  },
  '701': {
    code: 'UP_DIRECTORY_ACCOUNT_EXPIRED',
    message: 'The bind account has expired',
    hint: 'Extend or clear accountExpires of the account in AD.',
  },
  '773': {
    code: 'UP_DIRECTORY_PASSWORD_MUST_CHANGE',
    message: 'The bind account must change its password before it can log on',
    hint: 'Set a new password and clear "must change password at next logon".',
  },
  '775': {
    code: 'UP_DIRECTORY_ACCOUNT_LOCKED',
    message: 'The bind account is locked out',
    hint: 'Wait for the lockout duration or unlock the account in AD, then fix the password.',
  },
};

/** Extracts the AD sub-code of an LDAP 49 diagnostic message (`..., data 52e, v4563`), lower case. */
export function bindSubCode(diagnostic: string): string | undefined {
  return /\bdata ([0-9a-f]{1,8})\b/i.exec(diagnostic)?.[1]?.toLowerCase();
}

/** Returns the DC's diagnostic text without the ` Code: 0x31` suffix ldapts appends. */
function diagnosticOf(error: ResultCodeError): string {
  return error.message.replace(/\s*Code: 0x[0-9a-f]+$/i, '');
}

/** Maps a failed bind to its error; `account` is the bind DN or UPN (never the password). */
export function bindError(error: ResultCodeError, account: string): UserPilotError {
  const diagnostic = diagnosticOf(error);
  const details = { account, ldap_result: error.code, diagnostic };
  if (error instanceof InvalidCredentialsError) {
    const subCode = bindSubCode(diagnostic);
    const known = subCode === undefined ? undefined : bindSubCodes[subCode];
    if (known !== undefined) {
      return new UserPilotError(known.code, `${known.message}: ${account}.`, {
        hint: known.hint,
        details: { ...details, sub_code: subCode },
        cause: error,
      });
    }
    return new UserPilotError(
      'UP_DIRECTORY_INVALID_CREDENTIALS',
      `The domain controller rejected the credentials of ${account}: ${diagnostic}.`,
      { hint: 'Check the bind DN or UPN and the password.', details, cause: error },
    );
  }
  return new UserPilotError(
    'UP_DIRECTORY_BIND_FAILED',
    `Bind as ${account} failed with LDAP result ${error.code}: ${diagnostic}.`,
    {
      hint: 'Use ldaps:// or --starttls; simple binds need an encrypted connection.',
      details,
      cause: error,
    },
  );
}

/** Node's names for certificate verification failures, in words an admin can act on. */
const certificateProblems: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is signed by an unknown authority',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of the certificate is unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of the certificate is unknown',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in an untrusted self-signed CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name the host connected to',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
  CERT_REVOKED: 'the certificate is revoked',
};

const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
]);

function errorCodeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = error.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when a later attempt may succeed (network trouble), false for TLS or credentials. */
export function isTransient(error: UserPilotError): boolean {
  return (
    error.code === 'UP_DIRECTORY_UNREACHABLE' ||
    error.code === 'UP_DIRECTORY_CONNECT_TIMEOUT' ||
    error.code === 'UP_DIRECTORY_CONNECTION_LOST' ||
    error.code === 'UP_DIRECTORY_OPERATION_TIMEOUT'
  );
}

/** Describes a TLS failure; `certificate` is the subject and issuer line when one was read. */
export function tlsError(error: unknown, target: string, certificate?: string): UserPilotError {
  const nodeCode = errorCodeOf(error) ?? 'TLS_ERROR';
  const problem = certificateProblems[nodeCode] ?? messageOf(error);
  const seen = certificate === undefined ? '' : ` (${certificate})`;
  return new UserPilotError(
    'UP_DIRECTORY_TLS_FAILED',
    `TLS with ${target} failed: ${problem} [${nodeCode}]${seen}.`,
    {
      hint: 'Pass the CA that signed the DC certificate with --ca-file, or the name it was issued to with --tls-server-name.',
      details: { target, tls_code: nodeCode },
      cause: error,
    },
  );
}

/** True for errors Node raises while verifying a peer certificate or negotiating TLS. */
export function isTlsFailure(error: unknown): boolean {
  const code = errorCodeOf(error);
  if (code === undefined) return false;
  return code in certificateProblems || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS');
}

/** Maps a failure to connect or a broken connection; `target` is `host:port`. */
export function connectionError(error: unknown, target: string): UserPilotError {
  if (error instanceof UserPilotError) return error;
  if (isTlsFailure(error)) return tlsError(error, target);
  const code = errorCodeOf(error);
  const text = messageOf(error);
  if (text === 'Connection timeout') {
    return new UserPilotError(
      'UP_DIRECTORY_CONNECT_TIMEOUT',
      `Connecting to ${target} timed out.`,
      {
        hint: 'Check that the DC is running and that no firewall drops the port.',
        details: { target },
        cause: error,
      },
    );
  }
  if (code !== undefined && networkCodes.has(code)) {
    return new UserPilotError(
      'UP_DIRECTORY_UNREACHABLE',
      `Cannot reach the domain controller at ${target}: ${code}.`,
      {
        hint: 'Check the host and port of the URL and that the DC is running.',
        details: { target, system_code: code },
        cause: error,
      },
    );
  }
  return operationError(error, target);
}

/** RFC 4511 names of the result codes a read can end with. */
const resultNames: Record<number, string> = {
  1: 'operationsError',
  3: 'timeLimitExceeded',
  4: 'sizeLimitExceeded',
  10: 'referral',
  11: 'adminLimitExceeded',
  32: 'noSuchObject',
  50: 'insufficientAccessRights',
  51: 'busy',
  52: 'unavailable',
  53: 'unwillingToPerform',
};

/** `LDAP result 4 (sizeLimitExceeded)`, for messages. */
export function describeResultCode(code: number): string {
  return `LDAP result ${code} (${resultNames[code] ?? 'error'})`;
}

/** Maps a failed LDAP operation (search, extended operation) after the bind. */
export function operationError(error: unknown, target: string): UserPilotError {
  if (error instanceof UserPilotError) return error;
  const text = messageOf(error);
  if (/Operation timed out/.test(text)) {
    return new UserPilotError(
      'UP_DIRECTORY_OPERATION_TIMEOUT',
      `An LDAP operation on ${target} timed out.`,
      {
        hint: 'Retry, or raise the operation timeout for a slow DC.',
        details: { target },
        cause: error,
      },
    );
  }
  if (/Connection closed|Socket error|Socket connection not established/.test(text)) {
    return new UserPilotError(
      'UP_DIRECTORY_CONNECTION_LOST',
      `The connection to ${target} was lost.`,
      {
        hint: 'The next operation connects again; check the network if it repeats.',
        details: { target },
        cause: error,
      },
    );
  }
  const ldapResult = error instanceof ResultCodeError ? error.code : undefined;
  const reason =
    error instanceof ResultCodeError
      ? `${describeResultCode(error.code)} ${diagnosticOf(error)}`.trim()
      : text;
  return new UserPilotError(
    'UP_DIRECTORY_OPERATION_FAILED',
    `LDAP operation on ${target} failed: ${reason}.`,
    {
      hint: 'Check the rights of the bind account and the DN involved.',
      details: { target, ldap_result: ldapResult },
      cause: error,
    },
  );
}
