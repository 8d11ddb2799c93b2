import { UserPilotError } from '../protocol/errors.ts';

/** How to reach and bind to one domain controller. */
export interface DirectoryConnectionOptions {
  /** `ldaps://host[:port]` (LDAP over TLS) or `ldap://host[:port]` (with `startTls`). */
  url: string;
  /** Upgrade an `ldap://` connection with StartTLS before the bind. */
  startTls?: boolean;
  /** The bind account as a DN or as a UPN (`name@realm`). */
  bindDn: string;
  /** The bind password; never logged and never part of an error. */
  bindPassword: string;
  /** PEM file of the CA certificates that may sign the DC's certificate (else the system's). */
  caFile?: string;
  /** The host name the DC's certificate must name, when the URL's host is an IP or an alias. */
  tlsServerName?: string;
  /** Turns certificate verification off; a warning is logged at every connect. */
  insecureSkipVerify?: boolean;
  /** Milliseconds to wait for the TCP and TLS connection; default 10,000. */
  connectTimeoutMs?: number;
  /** Milliseconds one LDAP operation (one search page) may take; default 120,000. */
  operationTimeoutMs?: number;
  /** Connection attempts and backoff for transient failures (unreachable, timeout). */
  retry?: Partial<RetryPolicy>;
}

/** Exponential backoff: attempt n waits initialDelayMs * 2^(n-1), capped at maxDelayMs. */
export interface RetryPolicy {
  /** Connection attempts in total, at least 1. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 4,
  initialDelayMs: 1000,
  maxDelayMs: 30000,
};

/** The parsed URL of a DC. */
export interface DirectoryTarget {
  secure: boolean;
  host: string;
  port: number;
  /** `host:port`, for messages and logs. */
  label: string;
}

/** Parses an `ldap://` or `ldaps://` URL; a path, query or credentials in it are rejected. */
export function parseDirectoryUrl(url: string): DirectoryTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl(url, 'it is not a URL');
  }
  const scheme = parsed.protocol.replace(/:$/, '');
  if (scheme !== 'ldap' && scheme !== 'ldaps') throw invalidUrl(url, `the scheme is ${scheme}`);
  if (parsed.hostname === '') throw invalidUrl(url, 'it names no host');
  if (parsed.username !== '' || parsed.password !== '') {
    throw invalidUrl(`${scheme}://${parsed.host}`, 'it contains credentials');
  }
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
    throw invalidUrl(url, 'it has a path or query');
  }
  const secure = scheme === 'ldaps';
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? (secure ? 636 : 389) : Number(parsed.port);
  const label = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { secure, host, port, label };
}

function invalidUrl(url: string, reason: string): UserPilotError {
  return new UserPilotError(
    'UP_DIRECTORY_URL_INVALID',
    `Invalid directory URL ${url}: ${reason}.`,
    {
      hint: 'Use ldaps://host:636, or ldap://host:389 with --starttls.',
      details: { url },
    },
  );
}

/** The delay before attempt `attempt` (2 or later) of a policy. */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 2));
}
