/**
 * LDAP GeneralizedTime (RFC 4517 3.3.13): `YYYYMMDDHH[MM[SS]][(.|,)fraction](Z|+hhmm|-hhmm)`.
 * AD writes `20200101000000.0Z`. A value without `Z` or an offset is local time of an unknown
 * zone, so it is rejected instead of being read in the process's own zone.
 */

const pattern =
  /^(\d{4})(\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})?)?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/;

interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function checkFields(fields: TimeFields, text: string): void {
  const { year, month, day, hour, minute, second } = fields;
  const probe = new Date(Date.UTC(year, month - 1, day));
  const validDay = probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1;
  if (!validDay || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 60) {
    throw new RangeError(`Not a valid GeneralizedTime: ${JSON.stringify(text)}.`);
  }
}

/** Milliseconds of the fraction, which applies to the last unit given (hour, minute or second). */
function fractionMilliseconds(fraction: string | undefined, unitMilliseconds: number): number {
  if (fraction === undefined) return 0;
  return Math.floor(Number(`0.${fraction}`) * unitMilliseconds);
}

function offsetMilliseconds(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const hours = Number(zone.slice(1, 3));
  const minutes = zone.length > 3 ? Number(zone.slice(3, 5)) : 0;
  if (hours > 23 || minutes > 59) throw new RangeError(`Invalid time zone offset: ${zone}.`);
  return sign * (hours * 60 + minutes) * 60000;
}

/** Parses a GeneralizedTime into an ISO 8601 UTC instant (millisecond precision). */
export function generalizedTimeToIso(text: string): string {
  const match = pattern.exec(text);
  if (match === null) {
    throw new RangeError(
      `Not a GeneralizedTime with Z or an explicit offset: ${JSON.stringify(text)}.`,
    );
  }
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const fields: TimeFields = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute ?? 0),
    second: Number(second ?? 0),
  };
  checkFields(fields, text);

  let unit = 3600000;
  if (second !== undefined) unit = 1000;
  else if (minute !== undefined) unit = 60000;
  const local = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    Math.min(fields.second, 59),
  );
  const instant = local + fractionMilliseconds(fraction, unit) - offsetMilliseconds(zone ?? 'Z');
  return new Date(instant).toISOString();
}

/** Formats an instant as AD writes GeneralizedTime: `YYYYMMDDHHMMSS.0Z` in UTC. */
export function isoToGeneralizedTime(instant: Date | string): string {
  const iso = new Date(instant).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}.0Z`;
}
