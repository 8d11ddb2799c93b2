import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type * as tls from 'node:tls';
import {
  Client,
  type Control,
  ResultCodeError,
  type SearchOptions,
  type SearchResult,
} from 'ldapts';
import type { Logger } from '../core/log.ts';
import { UserPilotError } from '../protocol/errors.ts';
import {
  bindError,
  connectionError,
  isTlsFailure,
  isTransient,
  operationError,
  tlsError,
} from './connection-errors.ts';
import {
  backoffDelay,
  defaultRetryPolicy,
  type DirectoryConnectionOptions,
  type DirectoryTarget,
  parseDirectoryUrl,
  type RetryPolicy,
} from './connection-options.ts';
import { probePeerCertificate } from './peer-certificate.ts';
import { SearchStatusWatch, type SearchStatus } from './search-status.ts';

export interface ConnectionDependencies {
  logger: Logger;
  /** Waits between connection attempts; tests pass a fake. */
  sleep?: (milliseconds: number) => Promise<void>;
}

export type ConnectResult =
  { ok: true; connection: DirectoryConnection } | { ok: false; error: UserPilotError };

const defaultSleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * One bound LDAP connection to a DC. An operation connects again (with backoff) when the
 * connection was closed since the last one. An operation cut off in the middle fails and is not
 * replayed.
 */
export class DirectoryConnection {
  readonly target: DirectoryTarget;
  private client: Client | undefined;
  private readonly watch = new SearchStatusWatch();
  private readonly retry: RetryPolicy;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly log: Logger;

  constructor(
    private readonly options: DirectoryConnectionOptions,
    private readonly dependencies: ConnectionDependencies,
  ) {
    this.target = parseDirectoryUrl(options.url);
    if (this.target.secure && options.startTls === true) {
      throw new UserPilotError(
        'UP_DIRECTORY_URL_INVALID',
        `StartTLS needs an ldap:// URL, but ${options.url} is already LDAP over TLS.`,
        { hint: 'Drop --starttls for ldaps://, or use ldap://host:389 with --starttls.' },
      );
    }
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.sleep = dependencies.sleep ?? defaultSleep;
    this.log = dependencies.logger.child({ component: 'directory' });
  }

  /** The logger of the directory component, for the readers built on this connection. */
  get logger(): Logger {
    return this.log;
  }

  /** Connects and binds, retrying transient failures with exponential backoff. */
  async open(): Promise<UserPilotError | undefined> {
    let lastError: UserPilotError | undefined;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt += 1) {
      if (attempt > 1) {
        const delay = backoffDelay(this.retry, attempt);
        this.log.warn(
          { target: this.target.label, attempt, delay_ms: delay, code: lastError?.code },
          'connecting to the domain controller again after a failure',
        );
        await this.sleep(delay);
      }
      try {
        this.client = await this.connectOnce();
        return undefined;
      } catch (error) {
        lastError =
          error instanceof UserPilotError ? error : connectionError(error, this.target.label);
        if (!isTransient(lastError)) break;
      }
    }
    this.log.error({ target: this.target.label, code: lastError?.code }, lastError?.message);
    return lastError;
  }

  /** Opens the TCP/TLS connection, runs StartTLS when asked, and binds. */
  private async connectOnce(): Promise<Client> {
    const { options, target } = this;
    if (options.insecureSkipVerify === true) {
      this.log.warn(
        { target: target.label },
        'TLS certificate verification is off: anyone on the network path can impersonate the DC',
      );
    }
    const tlsOptions = this.tlsOptions();
    const client = new Client({
      url: options.url,
      connectTimeout: options.connectTimeoutMs ?? 10000,
      timeout: options.operationTimeoutMs ?? 120000,
      ...(target.secure ? { tlsOptions } : {}),
    });
    this.watch.attach(client);

    try {
      if (options.startTls === true) await client.startTLS(tlsOptions);
    } catch (error) {
      await closeQuietly(client);
      throw await this.connectFailure(error);
    }
    try {
      await client.bind(options.bindDn, options.bindPassword);
    } catch (error) {
      await closeQuietly(client);
      throw error instanceof ResultCodeError
        ? bindError(error, options.bindDn)
        : await this.connectFailure(error);
    }
    this.log.info(
      { target: target.label, starttls: options.startTls === true, account: options.bindDn },
      'bound to the domain controller',
    );
    return client;
  }

  private tlsOptions(): tls.ConnectionOptions {
    const { options, target } = this;
    const serverName = options.tlsServerName ?? (isIP(target.host) === 0 ? target.host : undefined);
    return {
      host: target.host,
      minVersion: 'TLSv1.2',
      rejectUnauthorized: options.insecureSkipVerify !== true,
      ...(options.caFile === undefined ? {} : { ca: readFileSync(options.caFile) }),
      ...(serverName === undefined ? {} : { servername: serverName }),
    };
  }

  private async connectFailure(error: unknown): Promise<UserPilotError> {
    if (!isTlsFailure(error)) return connectionError(error, this.target.label);
    // NOTE: the certificate is probed over LDAPS only; a StartTLS failure names the problem
    // without the certificate's subject and issuer.
    const certificate = this.target.secure
      ? await probePeerCertificate(
          this.target.host,
          this.target.port,
          this.tlsOptions().servername,
          this.options.connectTimeoutMs ?? 10000,
        )
      : undefined;
    return tlsError(error, this.target.label, certificate);
  }

  /** Returns the bound client, connecting again first when the connection was closed. */
  private async boundClient(): Promise<Client> {
    if (this.client?.isConnected === true) return this.client;
    this.log.info({ target: this.target.label }, 'the connection was closed; connecting again');
    const failure = await this.open();
    if (failure !== undefined || this.client === undefined) {
      throw failure ?? connectionError(new Error('no client'), this.target.label);
    }
    return this.client;
  }

  /** Runs one search (all entries in one result, unpaged unless `options.paged`). */
  async search(base: string, options: SearchOptions, controls?: Control[]): Promise<SearchResult> {
    const client = await this.boundClient();
    try {
      return await client.search(base, options, controls);
    } catch (error) {
      throw operationError(error, this.target.label);
    }
  }

  /**
   * Yields one search page at a time. The next page is requested before the caller gets the
   * current one, so decoding overlaps the network. Throws on any failure, and a result code
   * other than success (a size or time limit) is reported by `takeStatuses`.
   */
  async *searchPages(
    base: string,
    options: SearchOptions,
    controls?: Control[],
  ): AsyncGenerator<SearchResult, void, undefined> {
    const client = await this.boundClient();
    // NOTE: result codes are collected per connection, not per search, so two paged reads at
    // once on one connection would see each other's codes. The agent runs one at a time.
    this.watch.take();
    const pages = client.searchPaginated(base, options, controls);
    try {
      let next = pages.next();
      for (;;) {
        const current = await next;
        if (current.done === true) return;
        next = pages.next();
        // A rejected prefetch is awaited on the next turn; this keeps it from counting as
        // unhandled while the caller works on the current page.
        next.catch(() => undefined);
        yield current.value;
      }
    } catch (error) {
      throw operationError(error, this.target.label);
    } finally {
      // Stopping early leaves the prefetched page in flight; let it finish and drop it.
      pages.return(undefined).catch(() => undefined);
    }
  }

  /**
   * Opens a second connection with the same options, for reading one scope over several
   * connections. Returns undefined, with a warning logged, when it cannot connect.
   */
  async openSibling(): Promise<DirectoryConnection | undefined> {
    const sibling = new DirectoryConnection(this.options, this.dependencies);
    const failure = await sibling.open();
    if (failure === undefined) return sibling;
    this.log.warn({ code: failure.code }, 'reading over fewer connections: a second one failed');
    return undefined;
  }

  /** Non-success search result codes seen since the last paged search started. */
  takeStatuses(): SearchStatus[] {
    return this.watch.take();
  }

  /** Ends the connection with an unbind; safe to call twice. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await closeQuietly(client);
  }
}

async function closeQuietly(client: Client): Promise<void> {
  try {
    await client.unbind();
  } catch {
    // The connection is gone either way.
  }
}

/**
 * Connects and binds to a DC. A failure (unreachable, TLS, wrong credentials) is returned as a
 * value with its UserPilot error, since the agent expects and reports these.
 */
export async function connectDirectory(
  options: DirectoryConnectionOptions,
  dependencies: ConnectionDependencies,
): Promise<ConnectResult> {
  let connection: DirectoryConnection;
  try {
    connection = new DirectoryConnection(options, dependencies);
  } catch (error) {
    if (error instanceof UserPilotError) return { ok: false, error };
    throw error;
  }
  const error = await connection.open();
  return error === undefined ? { ok: true, connection } : { ok: false, error };
}
