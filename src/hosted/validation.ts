/**
 * Checks of one directory record before it is stored. A record that fails is rejected alone,
 * with the anchor and the attribute at fault, and the rest of its batch is applied.
 */
import type { ErrorCode } from '../protocol/errors.ts';
import { recordAttributes, type DirectoryUserRecord } from '../protocol/records.ts';
import { formatCharacterIn, parseAddress } from './keys.ts';

export interface RecordProblem {
  code: ErrorCode;
  attribute: string;
  message: string;
}

/**
 * The maximum length of each text attribute, in Unicode code points. Values beyond these are
 * rejected so one odd entry cannot bloat the store. Attributes not listed allow 256.
 */
export const attributeLimits: Readonly<Record<string, number>> = {
  dn: 2048,
  parentDn: 2048,
  userPrincipalName: 1024,
  description: 1024,
  street: 1024,
  initials: 16,
  telephoneNumber: 64,
  mobile: 64,
  fax: 64,
  homePhone: 64,
  postalCode: 64,
};
export const defaultAttributeLimit = 256;
/** The maximum number of values of each multi-valued attribute. */
export const maxValuesPerAttribute = 100;

const anchorPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isAnchor(value: unknown): value is string {
  return typeof value === 'string' && anchorPattern.test(value);
}

function codePointLength(value: string): number {
  return [...value].length;
}

function checkText(attribute: string, value: unknown, anchor: string): RecordProblem | null {
  if (value === null && attribute !== 'dn' && attribute !== 'parentDn') return null;
  if (typeof value !== 'string') {
    return {
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute,
      message: `Object ${anchor}: attribute ${attribute} must be text.`,
    };
  }
  const limit = attributeLimits[attribute] ?? defaultAttributeLimit;
  // Only a value longer than the limit in UTF-16 units can exceed it in code points.
  if (value.length > limit && codePointLength(value) > limit) {
    return {
      code: 'UP_HOSTED_VALUE_TOO_LONG',
      attribute,
      message: `Object ${anchor}: attribute ${attribute} has ${codePointLength(value)} characters, more than the ${limit} allowed.`,
    };
  }
  return null;
}

/** Rejects a value with an invisible format character, which could make it display as another. */
function checkVisible(attribute: string, value: string, anchor: string): RecordProblem | null {
  const hidden = formatCharacterIn(value);
  if (hidden === null) return null;
  return {
    code: 'UP_HOSTED_ADDRESS_INVALID',
    attribute,
    message: `Object ${anchor}: attribute ${attribute} contains the invisible format character ${hidden}.`,
  };
}

function checkAddress(attribute: string, value: string, anchor: string): RecordProblem | null {
  const hidden = checkVisible(attribute, value, anchor);
  if (hidden !== null) return hidden;
  if (parseAddress(value) !== null) return null;
  return {
    code: 'UP_HOSTED_ADDRESS_INVALID',
    attribute,
    message: `Object ${anchor}: attribute ${attribute} value "${value.slice(0, 320)}" is not a valid email address.`,
  };
}

function checkList(attribute: string, value: unknown, anchor: string): RecordProblem | null {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    return {
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute,
      message: `Object ${anchor}: attribute ${attribute} must be a list of text values.`,
    };
  }
  if (value.length > maxValuesPerAttribute) {
    return {
      code: 'UP_HOSTED_VALUE_TOO_LONG',
      attribute,
      message: `Object ${anchor}: attribute ${attribute} has ${value.length} values, more than the ${maxValuesPerAttribute} allowed.`,
    };
  }
  for (const item of value) {
    const problem = checkText(attribute, item, anchor);
    if (problem !== null) return problem;
  }
  return null;
}

function checkInstant(attribute: string, value: unknown, anchor: string): RecordProblem | null {
  if (value === null) return null;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return null;
  return {
    code: 'UP_HOSTED_RECORD_INVALID',
    attribute,
    message: `Object ${anchor}: attribute ${attribute} must be an ISO 8601 time or null.`,
  };
}

/** Checks the attributes whose form is not plain text. */
function checkSpecial(record: DirectoryUserRecord, anchor: string): RecordProblem | null {
  if (typeof record.enabled !== 'boolean') {
    return {
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute: 'enabled',
      message: `Object ${anchor}: attribute enabled must be true or false.`,
    };
  }
  if (record.managerAnchor !== null && !isAnchor(record.managerAnchor)) {
    return {
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute: 'managerAnchor',
      message: `Object ${anchor}: attribute managerAnchor is not a GUID.`,
    };
  }
  return (
    checkInstant('accountExpires', record.accountExpires, anchor) ??
    checkInstant('pwdLastSet', record.pwdLastSet, anchor)
  );
}

/** Checks that the UPN has no format character and mail and the SMTP addresses are addresses. */
function checkAddresses(record: DirectoryUserRecord, anchor: string): RecordProblem | null {
  if (record.userPrincipalName !== null) {
    const problem = checkVisible('userPrincipalName', record.userPrincipalName, anchor);
    if (problem !== null) return problem;
  }
  if (record.mail !== null) {
    const problem = checkAddress('mail', record.mail, anchor);
    if (problem !== null) return problem;
  }
  if (record.primarySmtpAddress !== null) {
    const problem = checkAddress('primarySmtpAddress', record.primarySmtpAddress, anchor);
    if (problem !== null) return problem;
  }
  for (const address of record.secondarySmtpAddresses) {
    const problem = checkAddress('secondarySmtpAddresses', address, anchor);
    if (problem !== null) return problem;
  }
  return null;
}

const listAttributes = new Set(['secondarySmtpAddresses', 'otherProxyAddresses']);
const specialAttributes = new Set([
  'anchor',
  'enabled',
  'accountExpires',
  'pwdLastSet',
  'managerAnchor',
]);

/** Returns the first problem of a record, or null when it may be stored. */
export function checkRecord(record: DirectoryUserRecord): RecordProblem | null {
  const anchor = String(record.anchor).slice(0, 64);
  if (!isAnchor(record.anchor)) {
    return {
      code: 'UP_HOSTED_RECORD_INVALID',
      attribute: 'anchor',
      message: `Object ${anchor}: attribute anchor is not a GUID in lower-case text form.`,
    };
  }
  for (const attribute of recordAttributes) {
    if (specialAttributes.has(attribute)) continue;
    const value: unknown = record[attribute];
    const problem = listAttributes.has(attribute)
      ? checkList(attribute, value, anchor)
      : checkText(attribute, value, anchor);
    if (problem !== null) return problem;
  }
  return checkSpecial(record, anchor) ?? checkAddresses(record, anchor);
}
