import type { Entry } from 'ldapts';
import type { DirectoryUserRecord, ReadMetadata } from '../protocol/records.ts';
import { attributeMap, type FieldCodec, type FieldMapping } from './attribute-map.ts';
import { parentDn } from './dn.ts';
import { parseExtendedDn } from './extended-dn.ts';
import { generalizedTimeToIso } from './generalized-time.ts';
import { guidFromBytes } from './guid.ts';
import { integer8TextToIso } from './integer8.ts';
import { splitProxyAddresses } from './proxy-addresses.ts';
import { sidFromBytes } from './sid.ts';

/** One value that could not be decoded. */
export interface AttributeProblem {
  attribute: string;
  message: string;
}

/**
 * An entry that could not be mapped. The anchor is set whenever objectGUID itself decoded, so
 * the agent can keep the user in its manifest and a bad value never reads as a removal.
 */
export interface EntryDecodeFailure {
  dn: string;
  anchor: string | null;
  problems: AttributeProblem[];
}

export type MappedEntry =
  | { ok: true; record: DirectoryUserRecord; metadata: ReadMetadata }
  | { ok: false; failure: EntryDecodeFailure };

type RawValue = string | Buffer;

/**
 * Returns the values of one attribute of an ldapts entry. ldapts keys attributes by the name the
 * server sent, which usually matches the table's spelling; other spellings are found without
 * regard to case.
 */
function valuesOf(entry: Entry, attribute: string): RawValue[] {
  let value = entry[attribute];
  if (value === undefined) {
    const key = Object.keys(entry).find((name) => name.toLowerCase() === attribute.toLowerCase());
    value = key === undefined ? undefined : entry[key];
  }
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function single(values: RawValue[]): RawValue | undefined {
  if (values.length > 1) throw new RangeError(`has ${values.length} values, expected one`);
  return values[0];
}

function asText(value: RawValue): string {
  if (typeof value !== 'string') throw new RangeError('is not valid UTF-8 text');
  return value;
}

function asBytes(value: RawValue): Buffer {
  if (typeof value === 'string') throw new RangeError('was returned as text, not bytes');
  return value;
}

/** Decodes the values of one attribute with its codec; undefined when the attribute is absent. */
export function decodeField(codec: FieldCodec, values: RawValue[]): unknown {
  const value = single(values);
  if (value === undefined) return undefined;
  switch (codec) {
    case 'text':
      return asText(value);
    case 'guid':
      return guidFromBytes(asBytes(value));
    case 'sid':
      return sidFromBytes(asBytes(value));
    case 'dnAnchor': {
      const guid = parseExtendedDn(asText(value)).guid;
      if (guid === undefined) throw new RangeError('has no <GUID=...> part (extended DN missing)');
      return guid;
    }
    case 'accountEnabled': {
      const flags = asText(value);
      if (!/^-?\d+$/.test(flags)) throw new RangeError(`is not an integer: ${flags}`);
      return (Number(flags) & 0x2) === 0;
    }
    case 'filetime':
      return integer8TextToIso(asText(value));
    case 'generalizedTime':
      return generalizedTimeToIso(asText(value));
    case 'integerText': {
      const digits = asText(value);
      if (!/^\d+$/.test(digits)) throw new RangeError(`is not a non-negative integer: ${digits}`);
      return digits;
    }
  }
}

/** Builds a record with every field empty (null or []), before the attributes are applied. */
function emptyRecord(dn: string): DirectoryUserRecord {
  return {
    anchor: '',
    dn,
    parentDn: parentDn(dn),
    sid: null,
    sAMAccountName: null,
    userPrincipalName: null,
    displayName: null,
    givenName: null,
    sn: null,
    initials: null,
    mail: null,
    primarySmtpAddress: null,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
    title: null,
    department: null,
    company: null,
    office: null,
    telephoneNumber: null,
    mobile: null,
    fax: null,
    homePhone: null,
    street: null,
    city: null,
    state: null,
    postalCode: null,
    country: null,
    description: null,
    employeeId: null,
    managerAnchor: null,
    enabled: false,
    accountExpires: null,
    pwdLastSet: null,
  };
}

function applyField(
  row: FieldMapping,
  values: RawValue[],
  record: DirectoryUserRecord,
  metadata: ReadMetadata,
): void {
  const decoded = decodeField(row.codec, values);
  if (decoded === undefined) {
    if (row.required === true) throw new RangeError('is missing');
    return;
  }
  const target = (row.target === 'record' ? record : metadata) as unknown as Record<
    string,
    unknown
  >;
  target[row.field] = decoded;
}

/**
 * Maps one search entry to the canonical record and its read metadata by the attribute table.
 * Every attribute is tried, so a failure lists all bad values of the entry at once.
 */
export function mapEntry(entry: Entry): MappedEntry {
  const { dn } = parseExtendedDn(entry.dn);
  const problems: AttributeProblem[] = [];
  let record: DirectoryUserRecord;
  try {
    record = emptyRecord(dn);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: { dn, anchor: null, problems: [{ attribute: 'dn', message }] } };
  }
  const metadata: ReadMetadata = { whenChanged: null, uSNChanged: null };

  for (const row of attributeMap) {
    const values = valuesOf(entry, row.attribute);
    try {
      if (row.target === 'proxyAddresses') {
        Object.assign(record, splitProxyAddresses(values.map(asText)));
      } else {
        applyField(row, values, record, metadata);
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      problems.push({ attribute: row.attribute, message });
    }
  }

  if (problems.length > 0) {
    const anchorFailed = problems.some((problem) => problem.attribute === 'objectGUID');
    return { ok: false, failure: { dn, anchor: anchorFailed ? null : record.anchor, problems } };
  }
  return { ok: true, record, metadata };
}
