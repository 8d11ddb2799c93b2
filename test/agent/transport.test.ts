import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceTransport, type TransportOptions } from '../../src/agent/transport.ts';
import { isUserPilotError, type UserPilotError } from '../../src/protocol/errors.ts';
import {
  startConnectProxy,
  startHttpsServer,
  type TestHttpsServer,
  type TestProxy,
} from './support/https-server.ts';

let service: TestHttpsServer;
let caFile: string;
let proxy: TestProxy;

beforeAll(async () => {
  service = await startHttpsServer((req, res) => {
    if (req.url === '/bad-gateway') {
      res.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ path: req.url }));
  });
  caFile = join(mkdtempSync(join(tmpdir(), 'up-transport-')), 'ca.pem');
  writeFileSync(caFile, service.certificate.certificatePem);
  proxy = await startConnectProxy();
});

afterAll(async () => {
  await service.close();
  await proxy.close();
});

async function sendOnce(options: Partial<TransportOptions>, path = '/ping'): Promise<unknown> {
  const transport = new ServiceTransport({
    url: service.url,
    trust: {},
    timeoutMs: 10_000,
    env: {},
    ...options,
  });
  try {
    return (await transport.send('GET', path)).body;
  } finally {
    transport.close();
  }
}

async function sendError(
  options: Partial<TransportOptions>,
  path = '/ping',
): Promise<UserPilotError> {
  try {
    await sendOnce(options, path);
  } catch (error) {
    if (isUserPilotError(error)) return error;
    throw error;
  }
  throw new Error('the request succeeded');
}

describe('service transport trust', () => {
  it('trusts a CA file', async () => {
    expect(await sendOnce({ trust: { caFile } })).toEqual({ path: '/ping' });
  });

  it('trusts a pinned fingerprint', async () => {
    expect(
      await sendOnce({ trust: { fingerprint: service.certificate.fingerprintSha256 } }),
    ).toEqual({
      path: '/ping',
    });
  });

  it('accepts a pin without colons in lower case', async () => {
    const pin = service.certificate.fingerprintSha256.replace(/:/g, '').toLowerCase();
    expect(await sendOnce({ trust: { fingerprint: pin } })).toEqual({ path: '/ping' });
  });

  it.each([
    ['untrusted certificate', {}, 'the certificate of 127.0.0.1 is not trusted: it is self-signed'],
    ['wrong pin', { fingerprint: 'AB'.repeat(32) }, 'does not match the pinned AB:AB'],
  ])('rejects %s', async (_name, trust, expected) => {
    const error = await sendError({ trust });
    expect(error.code).toBe('UP_AGENT_SERVICE_UNREACHABLE');
    expect(error.message).toContain(`Cannot access remote UserPilot service at ${service.url}`);
    expect(error.message).toContain(expected);
    expect(error.details.cause).toBe('tls');
  });
});

describe('service transport failures', () => {
  it('names a refused TCP connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await sendError({ url: `https://127.0.0.1:${port}`, trust: { caFile } });
    expect(error.message).toBe(
      `Cannot access remote UserPilot service at https://127.0.0.1:${port}: the TCP connection to 127.0.0.1:${port} was refused.`,
    );
    expect(error.details.cause).toBe('tcp-refused');
  });

  it('names a failed DNS lookup', async () => {
    // The lookup is replaced, so no query leaves the machine.
    const error = await sendError({
      url: 'https://sync.example.test',
      lookup: (hostname, _options, callback) => {
        const failure = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: 'ENOTFOUND',
        });
        callback(failure, '', 4);
      },
    });
    expect(error.message).toContain(
      'the host name sync.example.test cannot be resolved (DNS ENOTFOUND)',
    );
    expect(error.details.cause).toBe('dns');
  });

  it('names an HTTP error status', async () => {
    const error = await sendError({ trust: { caFile } }, '/bad-gateway');
    expect(error.message).toContain('the server answered HTTP 502 Bad Gateway');
    expect(error.details.cause).toBe('http-status');
  });

  it('names a TLS handshake that never ends', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await sendError({
        url: `https://127.0.0.1:${port}`,
        trust: { caFile },
        timeoutMs: 500,
      });
      expect(error.message).toContain('the TLS handshake with 127.0.0.1 timed out');
    } finally {
      silent.close();
    }
  });
});

describe('service transport proxy', () => {
  it('tunnels through HTTPS_PROXY', async () => {
    const before = proxy.targets.length;
    const body = await sendOnce({ trust: { caFile }, env: { HTTPS_PROXY: proxy.url } });
    expect(body).toEqual({ path: '/ping' });
    expect(proxy.targets.slice(before)).toEqual([service.url.replace('https://', '')]);
  });

  it('prefers the configured proxy and pins through it', async () => {
    const before = proxy.targets.length;
    const body = await sendOnce({
      trust: { fingerprint: service.certificate.fingerprintSha256 },
      proxy: proxy.url,
      env: { HTTPS_PROXY: 'http://127.0.0.1:1' },
    });
    expect(body).toEqual({ path: '/ping' });
    expect(proxy.targets.length).toBe(before + 1);
  });

  it('names a proxy that refuses CONNECT', async () => {
    const refusing = await startConnectProxy({ refuse: true });
    try {
      const error = await sendError({ trust: { caFile }, proxy: refusing.url });
      expect(error.message).toContain('refused CONNECT');
      expect(error.message).toContain('403 Forbidden');
      expect(error.details.cause).toBe('proxy');
    } finally {
      await refusing.close();
    }
  });
});
