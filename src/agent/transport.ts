import {
  Agent,
  request,
  STATUS_CODES,
  type ClientRequestArgs,
  type IncomingHttpHeaders,
} from 'node:http';
import type { LookupFunction, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { UserPilotError } from '../protocol/errors.ts';
import { connectToService, type ServiceTrust } from './connect.ts';
import { TransportFailure, transportHints } from './transport-failure.ts';

export interface TransportOptions {
  /** Base URL of the service. */
  url: string;
  trust: ServiceTrust;
  /** http:// URL of a proxy; when absent, HTTPS_PROXY or https_proxy of `env` is used. */
  proxy?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  lookup?: LookupFunction;
}

export interface ServiceResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
}

/**
 * Connects the HTTP client to the service through connectToService, keeping connections alive
 * between requests. Node calls createConnection with a callback and waits for it, so the TLS
 * handshake and the certificate check finish before the first byte of a request is written.
 */
class ServiceAgent extends Agent {
  constructor(private readonly open: () => Promise<Socket>) {
    super({ keepAlive: true, maxSockets: 4 });
  }

  override createConnection(
    _options: ClientRequestArgs,
    callback?: (error: Error | null, socket: Duplex) => void,
  ): Duplex {
    this.open().then(
      (socket) => callback?.(null, socket),
      (error: unknown) =>
        callback?.(error instanceof Error ? error : new Error(String(error)), undefined as never),
    );
    return undefined as unknown as Duplex;
  }
}

/** JSON over HTTPS to the hosted service; failures to reach it become UP_AGENT_SERVICE_UNREACHABLE. */
export class ServiceTransport {
  readonly baseUrl: URL;
  private readonly agent: ServiceAgent;

  constructor(private readonly options: TransportOptions) {
    this.baseUrl = new URL(options.url);
    const proxy = options.proxy ?? proxyFromEnv(options.env ?? process.env);
    this.agent = new ServiceAgent(() =>
      connectToService({
        url: this.baseUrl,
        trust: options.trust,
        ...(proxy === undefined ? {} : { proxy: new URL(proxy) }),
        timeoutMs: options.timeoutMs,
        ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
      }),
    );
  }

  /** Sends one request and returns the response; throws only when the service cannot be reached. */
  async send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ServiceResponse> {
    try {
      const response = await this.exchange(method, path, body, headers);
      if (response.status >= 400 && !isErrorBody(response.body)) {
        const text = STATUS_CODES[response.status] ?? 'unknown status';
        throw new TransportFailure(
          'http-status',
          `the server answered HTTP ${response.status} ${text}`,
        );
      }
      return response;
    } catch (error) {
      if (error instanceof TransportFailure) throw unreachable(this.baseUrl, error);
      throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private exchange(
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<ServiceResponse> {
    const url = new URL(path, this.baseUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          host: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            host: url.host,
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
            ...headers,
          },
          timeout: this.options.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: parseJson(Buffer.concat(chunks)),
            }),
          );
          res.on('error', (error) =>
            reject(new TransportFailure('tcp', `the response was cut off: ${error.message}`)),
          );
        },
      );
      req.on('timeout', () => {
        req.destroy(
          new TransportFailure(
            'tcp-timeout',
            `the request ${method} ${url.pathname} timed out after ${this.options.timeoutMs / 1000} s`,
          ),
        );
      });
      req.on('error', (error) => {
        if (error instanceof TransportFailure) reject(error);
        else reject(TransportFailure.fromSocketError(error, url.hostname, Number(url.port || 443)));
      });
      req.end(payload);
    });
  }
}

function parseJson(buffer: Buffer): unknown {
  if (buffer.length === 0) return undefined;
  try {
    return JSON.parse(buffer.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** True for the service's `{ error: { code, message } }` body. */
export function isErrorBody(body: unknown): body is {
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown> };
} {
  if (typeof body !== 'object' || body === null || !('error' in body)) return false;
  const error = body.error;
  return (
    typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
  );
}

function proxyFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.HTTPS_PROXY ?? env.https_proxy;
  return value === undefined || value === '' ? undefined : value;
}

/** Builds the admin's "Cannot access remote UserPilot service at URL" error for a failure. */
export function unreachable(url: URL, failure: TransportFailure): UserPilotError {
  const shown = url.toString().replace(/\/$/, '');
  return new UserPilotError(
    'UP_AGENT_SERVICE_UNREACHABLE',
    `Cannot access remote UserPilot service at ${shown}: ${failure.description}.`,
    {
      hint: transportHints[failure.step],
      details: {
        url: shown,
        cause: failure.step,
        ...(failure.certificateCode === undefined
          ? {}
          : { certificate_code: failure.certificateCode }),
      },
      cause: failure,
    },
  );
}
