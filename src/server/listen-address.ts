import { isIP } from 'node:net';
import { UserPilotError } from '../protocol/errors.ts';

export interface ListenAddress {
  /** An IPv4 or IPv6 address, never a name. */
  host: string;
  port: number;
}

/**
 * Parses `HOST:PORT` (IPv6 as `[::1]:8443`). Only IP addresses are accepted, so choosing the
 * address never involves a DNS lookup.
 */
export function parseListenAddress(value: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || isIP(host) === 0 || !Number.isInteger(port) || port > 65_535) {
    throw new UserPilotError('UP_SERVER_LISTEN_INVALID', `Invalid listen address "${value}".`, {
      hint: 'Use IP:PORT, for example 127.0.0.1:8443, 0.0.0.0:443 or [::1]:8443.',
      details: { listen: value },
    });
  }
  return { host, port };
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.x.x). */
export function isLoopbackAddress(host: string): boolean {
  const address = host.toLowerCase();
  if (isIP(address) === 4) return address.startsWith('127.');
  if (address === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  return mapped?.[1] !== undefined && mapped[1].startsWith('127.');
}

/** Formats an address for a URL, bracketing IPv6. */
export function formatListenAddress(address: ListenAddress): string {
  const host = isIP(address.host) === 6 ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}

/**
 * Rejects plain HTTP on any address that is not loopback: passwords travel in agent requests, so
 * without TLS they may only stay on this machine.
 */
export function assertPlainHttpAllowed(address: ListenAddress): void {
  if (isLoopbackAddress(address.host)) return;
  throw new UserPilotError(
    'UP_SERVER_INSECURE_LISTEN',
    `Plain HTTP is allowed only on a loopback address, not on ${formatListenAddress(address)}.`,
    {
      hint: 'Drop --insecure-http to serve HTTPS, or listen on 127.0.0.1 behind a local TLS proxy.',
      details: { listen: formatListenAddress(address) },
    },
  );
}
