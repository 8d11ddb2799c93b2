import type { DirectoryUserRecord } from '../protocol/records.ts';

export type ProxyAddressFields = Pick<
  DirectoryUserRecord,
  'primarySmtpAddress' | 'secondarySmtpAddresses' | 'otherProxyAddresses'
>;

/**
 * Splits proxyAddresses by prefix: `SMTP:` (upper case) is the primary address, `smtp:` (lower
 * case) or any other spelling of the `smtp:` type a secondary one, and every other type (`X500:`, `SIP:`, ...) is kept as read. The
 * prefix's case is what tells primary from secondary, as in Exchange. More than one `SMTP:` value
 * is an invalid value and throws.
 */
export function splitProxyAddresses(values: readonly string[]): ProxyAddressFields {
  const fields: ProxyAddressFields = {
    primarySmtpAddress: null,
    secondarySmtpAddresses: [],
    otherProxyAddresses: [],
  };
  for (const value of values) {
    if (value.startsWith('SMTP:')) {
      if (fields.primarySmtpAddress !== null) {
        throw new RangeError('has more than one primary SMTP: address');
      }
      fields.primarySmtpAddress = value.slice(5);
    } else if (/^smtp:/i.test(value)) {
      fields.secondarySmtpAddresses.push(value.slice(5));
    } else {
      fields.otherProxyAddresses.push(value);
    }
  }
  return fields;
}
