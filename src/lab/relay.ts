import { connect, createServer, type Server, type Socket } from 'node:net';
import { chmodSync, rmSync } from 'node:fs';

/** One end of a relay route: a TCP address on loopback or a Unix socket path. */
export type RelayEndpoint =
  { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface RelayRoute {
  listen: RelayEndpoint;
  target: RelayEndpoint;
}

/**
 * Parses `unix:/path` or `tcp:127.0.0.1:636`. Only loopback hosts are accepted, so a relay can
 * never be pointed at another machine.
 */
export function parseEndpoint(text: string): RelayEndpoint {
  if (text.startsWith('unix:')) return { kind: 'unix', path: text.slice('unix:'.length) };
  const match = /^tcp:(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]):(\d{1,5})$/.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(`invalid relay endpoint ${text}: expected unix:PATH or tcp:127.x.x.x:PORT`);
  }
  return { kind: 'tcp', host: match[1].replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

export function formatEndpoint(endpoint: RelayEndpoint): string {
  return endpoint.kind === 'unix'
    ? `unix:${endpoint.path}`
    : `tcp:${endpoint.host}:${endpoint.port}`;
}

/** Parses `LISTEN=TARGET`. */
export function parseRoute(text: string): RelayRoute {
  const [listen, target, ...rest] = text.split('=');
  if (listen === undefined || target === undefined || rest.length > 0) {
    throw new Error(`invalid relay route ${text}: expected LISTEN=TARGET`);
  }
  return { listen: parseEndpoint(listen), target: parseEndpoint(target) };
}

/** Starts listening on every route; resolves once all listen, rejects on the first failure. */
export async function startRelay(routes: readonly RelayRoute[]): Promise<Server[]> {
  return Promise.all(routes.map(listenRoute));
}

function listenRoute(route: RelayRoute): Promise<Server> {
  const server = createServer((client) => forward(client, route.target));
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      if (route.listen.kind === 'unix') chmodSync(route.listen.path, 0o600);
      resolvePromise(server);
    };
    if (route.listen.kind === 'unix') {
      // A socket file left by a relay that was killed would make listen fail.
      rmSync(route.listen.path, { force: true });
      server.listen(route.listen.path, ready);
    } else {
      server.listen(route.listen.port, route.listen.host, ready);
    }
  });
}

function forward(client: Socket, target: RelayEndpoint): void {
  const upstream =
    target.kind === 'unix' ? connect(target.path) : connect(target.port, target.host);
  client.pipe(upstream);
  upstream.pipe(client);
  // Either side failing ends both: a half-open relay connection would hang the LDAP client.
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
}
