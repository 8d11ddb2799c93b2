/**
 * AD's integer8 times (FILETIME): a signed 64-bit count of 100-nanosecond intervals since
 * 1601-01-01T00:00:00Z, written in LDAP as a decimal string. accountExpires uses both 0 and
 * 0x7FFFFFFFFFFFFFFF for "never"; pwdLastSet uses 0 for "never set".
 */

/** The largest integer8 value, AD's "never" for accountExpires. */
export const integer8Never = 0x7fffffffffffffffn;

/** Intervals of 100 ns between 1601-01-01 and 1970-01-01. */
const epochOffset = 116444736000000000n;
const intervalsPerMillisecond = 10000n;

/** The latest instant a JavaScript Date can represent (8.64e15 ms after 1970). */
const maxDateMilliseconds = 8640000000000000n;

/** Parses the decimal text of an integer8 attribute. */
export function parseInteger8(text: string): bigint {
  if (!/^-?\d{1,19}$/.test(text)) {
    throw new RangeError(`Not an integer8 value: ${JSON.stringify(text)}.`);
  }
  const value = BigInt(text);
  if (value > integer8Never || value < -integer8Never - 1n) {
    throw new RangeError(`integer8 value out of the signed 64-bit range: ${text}.`);
  }
  return value;
}

/**
 * Converts a FILETIME to an ISO 8601 UTC instant with millisecond precision (the 100 ns rest is
 * dropped). Returns null for 0 and 0x7FFFFFFFFFFFFFFF, which AD uses for "never".
 */
export function filetimeToIso(value: bigint): string | null {
  if (value === 0n || value === integer8Never) return null;
  if (value < 0n) {
    throw new RangeError(`A FILETIME instant cannot be negative: ${value}.`);
  }
  const sinceEpoch = value - epochOffset;
  // BigInt division truncates toward zero; round down so instants before 1970 stay exact.
  const milliseconds =
    sinceEpoch >= 0n
      ? sinceEpoch / intervalsPerMillisecond
      : -((-sinceEpoch + intervalsPerMillisecond - 1n) / intervalsPerMillisecond);
  if (milliseconds > maxDateMilliseconds) {
    throw new RangeError(`FILETIME ${value} lies beyond the year 275760.`);
  }
  return new Date(Number(milliseconds)).toISOString();
}

/** Converts the decimal text of an integer8 time attribute; see filetimeToIso. */
export function integer8TextToIso(text: string): string | null {
  return filetimeToIso(parseInteger8(text));
}

/** Converts an instant to FILETIME (for writing test fixtures and filters). */
export function isoToFiletime(instant: Date | string): bigint {
  const milliseconds = BigInt(new Date(instant).getTime());
  return milliseconds * intervalsPerMillisecond + epochOffset;
}
