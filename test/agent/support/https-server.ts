import { createServer as createHttpsServer, type Server } from 'node:https';
import {
  createServer as createTcpServer,
  connect,
  type AddressInfo,
  type Server as TcpServer,
} from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock } from '../../../src/core/clock.ts';
import { createLabCertificate, type LabCertificate } from '../../../src/server/tls-certificate.ts';

export interface TestHttpsServer {
  server: Server;
  url: string;
  certificate: LabCertificate;
  close(): Promise<void>;
}

/** Starts an HTTPS server on 127.0.0.1 with a fresh self-signed certificate. */
export async function startHttpsServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<TestHttpsServer> {
  const certificate = await createLabCertificate('localhost', systemClock);
  const server = createHttpsServer(
    { cert: certificate.certificatePem, key: certificate.privateKeyPem },
    handler,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `https://127.0.0.1:${port}`,
    certificate,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TestProxy {
  url: string;
  /** The CONNECT targets seen, in order. */
  targets: string[];
  close(): Promise<void>;
}

/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1. It tunnels only to loopback targets and answers
 * 403 to anything else, or to every request when `refuse` is set.
 */
export async function startConnectProxy(options: { refuse?: boolean } = {}): Promise<TestProxy> {
  const targets: string[] = [];
  const server: TcpServer = createTcpServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.off('data', onData);
      const [method, target] = head.subarray(0, end).toString('latin1').split(' ');
      targets.push(target ?? '');
      const match = /^127\.0\.0\.1:(\d+)$/.exec(target ?? '');
      if (method !== 'CONNECT' || match === null || options.refuse === true) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const upstream = connect(Number(match[1]), '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    targets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
