import { readFileSync } from 'node:fs';
import { connect as netConnect, isIP, type LookupFunction, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { TransportFailure } from './transport-failure.ts';

/** How the service's certificate is trusted: system CAs (default), a CA file, or a pin. */
export interface ServiceTrust {
  caFile?: string;
  /** SHA-256 fingerprint of the leaf certificate, hex with or without colons. */
  fingerprint?: string;
}

export interface ConnectOptions {
  url: URL;
  trust: ServiceTrust;
  /** http:// URL of a proxy reached with CONNECT. */
  proxy?: URL;
  timeoutMs: number;
  /** Name resolution; tests pass their own so no lookup leaves the machine. */
  lookup?: LookupFunction;
}

/**
 * Opens a connection to the service, through the proxy when one is set, and finishes the TLS
 * handshake before returning it, so nothing is written to a server whose certificate has not
 * been checked. With a pinned fingerprint the chain is not verified; the leaf certificate's
 * SHA-256 must equal the pin instead.
 */
export async function connectToService(options: ConnectOptions): Promise<Socket> {
  const { url } = options;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const socket =
    options.proxy === undefined
      ? await openTcp(host, port, options)
      : await openTunnel(options.proxy, host, port, options);
  if (url.protocol !== 'https:') return socket;
  return startTls(socket, host, options);
}

function openTcp(host: string, port: number, options: ConnectOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({
      host,
      port,
      ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new TransportFailure(
          'tcp-timeout',
          `TCP connection to ${host}:${port} timed out after ${options.timeoutMs / 1000} s`,
        ),
      );
    }, options.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(TransportFailure.fromSocketError(error, host, port));
    });
  });
}

async function openTunnel(
  proxy: URL,
  host: string,
  port: number,
  options: ConnectOptions,
): Promise<Socket> {
  const proxyPort = Number(proxy.port || 80);
  let socket: Socket;
  try {
    socket = await openTcp(proxy.hostname, proxyPort, options);
  } catch (error) {
    if (error instanceof TransportFailure) {
      throw new TransportFailure(
        'proxy',
        `the proxy ${proxy.host} cannot be reached (${error.description})`,
      );
    }
    throw error;
  }
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  const statusLine = await readConnectResponse(socket, options.timeoutMs);
  const status = Number(statusLine.split(' ')[1]);
  if (status !== 200) {
    socket.destroy();
    throw new TransportFailure(
      'proxy',
      `the proxy ${proxy.host} refused CONNECT ${authority}: ${statusLine}`,
    );
  }
  return socket;
}

/** Reads the proxy's answer up to the blank line; returns its status line. */
function readConnectResponse(socket: Socket, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(
      () => fail(new TransportFailure('proxy', 'the proxy did not answer CONNECT in time')),
      timeoutMs,
    );
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      clearTimeout(timer);
      socket.off('data', onData);
      // Bytes after the header belong to the tunnel; a proxy sends none before the client speaks.
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(buffered.subarray(0, end).toString('latin1').split('\r\n')[0] ?? '');
    };
    socket.on('data', onData);
    socket.once('error', (error) =>
      fail(new TransportFailure('proxy', `the proxy connection failed: ${error.message}`)),
    );
    socket.once('end', () =>
      fail(new TransportFailure('proxy', 'the proxy closed the connection during CONNECT')),
    );
  });
}

function startTls(socket: Socket, host: string, options: ConnectOptions): Promise<TLSSocket> {
  const pin =
    options.trust.fingerprint === undefined
      ? undefined
      : normalizeFingerprint(options.trust.fingerprint);
  const ca = options.trust.caFile === undefined ? undefined : readFileSync(options.trust.caFile);
  return new Promise((resolve, reject) => {
    const tls = tlsConnect({
      socket,
      host,
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: pin === undefined,
    });
    const timer = setTimeout(() => {
      tls.destroy();
      reject(new TransportFailure('tls', `the TLS handshake with ${host} timed out`));
    }, options.timeoutMs);
    tls.once('secureConnect', () => {
      clearTimeout(timer);
      if (pin !== undefined) {
        const actual = normalizeFingerprint(tls.getPeerCertificate().fingerprint256 ?? '');
        if (actual !== pin) {
          tls.destroy();
          reject(
            new TransportFailure(
              'tls',
              `the certificate's SHA-256 fingerprint ${formatFingerprint(actual)} does not match the pinned ${formatFingerprint(pin)}`,
            ),
          );
          return;
        }
      }
      resolve(tls);
    });
    tls.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(TransportFailure.fromTlsError(error, host));
    });
  });
}

/** Lower-case hex without colons. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

/** Upper-case hex pairs separated by colons, as OpenSSL prints them. */
export function formatFingerprint(value: string): string {
  return (normalizeFingerprint(value).toUpperCase().match(/../g) ?? []).join(':');
}
