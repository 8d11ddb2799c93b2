import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Logger } from '../core/log.ts';
import { HostedService } from '../hosted/index.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { openStore, type Store } from '../store/store.ts';
import { buildServer, type ServerPlugin } from './app.ts';
import {
  assertPlainHttpAllowed,
  formatListenAddress,
  parseListenAddress,
  type ListenAddress,
} from './listen-address.ts';
import { readServerConfig, redactDatabaseUrl, resolveDataPath } from './server-config.ts';
import { certificateFingerprint } from './tls-certificate.ts';

export interface StartServerOptions {
  dataDir: string;
  /** Overrides the configuration's listen address. */
  listen?: string;
  /** Serve plain HTTP; allowed only on a loopback address. */
  insecureHttp?: boolean;
  logger: Logger;
  clock?: Clock;
  /** Adds the parts' routes (SCIM, panel) given the service the server runs on. */
  plugins?: (context: ServerPluginContext) => ServerPlugin[];
}

/** The service, clock, logger and certificate facts a part builds its routes from. */
export interface ServerPluginContext {
  service: HostedService;
  clock: Clock;
  logger: Logger;
  certificateFingerprint: string | undefined;
}

export interface RunningServer {
  app: FastifyInstance;
  /** The base URL the server listens on, with the port the system chose for port 0. */
  url: string;
  store: Store;
  close(): Promise<void>;
}

/** Opens the data folder's store and serves it until `close` is called. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const config = readServerConfig(options.dataDir);
  const address = parseListenAddress(options.listen ?? config.listen);
  const insecure = options.insecureHttp === true;
  // Checked before anything opens, so a refused start leaves nothing behind.
  if (insecure) assertPlainHttpAllowed(address);
  const tls = insecure ? null : readTls(options.dataDir, config.tls);
  const clock = options.clock ?? systemClock;
  const log = options.logger;

  const store = await openStore({
    url: resolveDataPath(options.dataDir, config.database),
    onConnectionError: (error) =>
      log.warn({ err: error }, 'an idle database connection failed; the pool opens a new one'),
  });
  try {
    const service = new HostedService({ store, clock, logger: log });
    const fingerprint = tls === null ? undefined : certificateFingerprint(tls.certificatePem);
    const context = { service, clock, logger: log, certificateFingerprint: fingerprint };
    const app = await buildServer({
      service,
      logger: log,
      clock,
      tls,
      leaseTtlSeconds: config.leaseTtlSeconds,
      plugins: options.plugins?.(context) ?? [],
    });
    const url = await listen(app, address, tls === null ? 'http' : 'https');
    log.info(
      { component: 'server', url, database: redactDatabaseUrl(config.database) },
      'server started',
    );
    const close = async (): Promise<void> => {
      await app.close();
      await store.close();
      log.info({ component: 'server', url }, 'server stopped');
    };
    return { app, url, store, close };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function readTls(
  dataDir: string,
  files: { certFile: string; keyFile: string },
): { certificatePem: string; privateKeyPem: string } {
  const certFile = resolveDataPath(dataDir, files.certFile);
  const keyFile = resolveDataPath(dataDir, files.keyFile);
  try {
    return {
      certificatePem: readFileSync(certFile, 'utf8'),
      privateKeyPem: readFileSync(keyFile, 'utf8'),
    };
  } catch (cause) {
    throw new UserPilotError(
      'UP_SERVER_TLS_MISSING',
      `Cannot read the TLS certificate ${certFile} or key ${keyFile}.`,
      { hint: 'Restore the files or fix tls.certFile and tls.keyFile in server.json.', cause },
    );
  }
}

async function listen(
  app: FastifyInstance,
  address: ListenAddress,
  scheme: string,
): Promise<string> {
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (cause) {
    await app.close();
    throw new UserPilotError(
      'UP_SERVER_LISTEN_FAILED',
      `Cannot listen on ${formatListenAddress(address)}: ${(cause as Error).message}`,
      { hint: 'Stop the program that holds the port, or pass another --listen.', cause },
    );
  }
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
  return `${scheme}://${formatListenAddress({ host: address.host, port })}`;
}
