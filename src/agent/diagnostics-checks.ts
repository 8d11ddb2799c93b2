import { lookup } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP } from 'node:net';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { normalizeFingerprint } from './connect.ts';

/** One connectivity check of the diagnostics archive. */
export interface CheckResult {
  target: string;
  check: 'dns' | 'tcp' | 'tls' | 'clock';
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface CheckTarget {
  name: string;
  host: string;
  port: number;
  caFile?: string;
  fingerprint?: string;
  servername?: string;
}

const timeoutMs = 10_000;

/** Runs the DNS, TCP and TLS checks of one target, in that order, stopping at the first failure. */
export async function checkTarget(target: CheckTarget): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const dns = await timed(target.name, 'dns', () => resolveHost(target.host));
  results.push(dns);
  if (!dns.ok) return results;
  const tcp = await timed(target.name, 'tcp', () => openTcp(target.host, target.port));
  results.push(tcp);
  if (!tcp.ok) return results;
  results.push(await timed(target.name, 'tls', () => inspectTls(target)));
  return results;
}

/** Compares this machine's clock with the Date header of the service's response. */
export async function checkServiceClock(
  name: string,
  url: URL,
  send: () => Promise<string | undefined>,
): Promise<CheckResult> {
  return timed(name, 'clock', async () => {
    const date = await send();
    if (date === undefined) return `no Date header from ${url.host}`;
    const offset = Math.round((Date.now() - Date.parse(date)) / 1000);
    if (Math.abs(offset) > 300)
      throw new Error(`this clock is ${offset} s off the service's (more than 300 s)`);
    return `offset ${offset} s (Date header resolution is 1 s)`;
  });
}

async function timed(
  target: string,
  check: CheckResult['check'],
  run: () => Promise<string>,
): Promise<CheckResult> {
  const started = performance.now();
  try {
    const detail = await run();
    return { target, check, ok: true, detail, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      target,
      check,
      ok: false,
      detail,
      durationMs: Math.round(performance.now() - started),
    };
  }
}

async function resolveHost(host: string): Promise<string> {
  if (isIP(host) !== 0) return `${host} is an IP address; no lookup needed`;
  const addresses = await lookup(host, { all: true });
  return addresses.map((address) => address.address).join(', ');
}

function openTcp(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(`connected to ${host}:${port}`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`connecting to ${host}:${port} timed out`));
    });
    socket.once('error', (error: Error) => reject(error));
  });
}

function inspectTls(target: CheckTarget): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({
      host: target.host,
      port: target.port,
      ...(target.servername !== undefined
        ? { servername: target.servername }
        : isIP(target.host) === 0
          ? { servername: target.host }
          : {}),
      ...(target.caFile === undefined ? {} : { ca: readFileSync(target.caFile) }),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      const pinned =
        target.fingerprint === undefined ? undefined : normalizeFingerprint(target.fingerprint);
      const matches =
        pinned === undefined
          ? undefined
          : normalizeFingerprint(certificate.fingerprint256) === pinned;
      const trusted = pinned === undefined ? socket.authorized : matches === true;
      const why =
        socket.authorizationError === null ? '' : ` (${String(socket.authorizationError)})`;
      socket.destroy();
      const summary = describeCertificate(certificate);
      if (!trusted)
        reject(
          new Error(
            `certificate not trusted${pinned === undefined ? why : ': fingerprint does not match the pin'}; ${summary}`,
          ),
        );
      else resolve(`${socket.getProtocol() ?? 'TLS'}, certificate trusted; ${summary}`);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error('TLS handshake timed out'));
    });
    socket.once('error', (error: Error) => reject(error));
  });
}

function describeCertificate(certificate: PeerCertificate): string {
  return (
    `subject ${JSON.stringify(certificate.subject)}, issuer ${JSON.stringify(certificate.issuer)}, ` +
    `subjectAltName ${certificate.subjectaltname ?? 'none'}, valid ${certificate.valid_from} to ${certificate.valid_to}, ` +
    `SHA-256 ${certificate.fingerprint256}`
  );
}
