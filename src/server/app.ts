import fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { systemClock, type Clock } from '../core/clock.ts';
import { componentLogger, type Logger } from '../core/log.ts';
import { agentApiPrefix } from '../protocol/agent-api.ts';
import { UserPilotError } from '../protocol/errors.ts';
import { agentApiPlugin, type AgentApiService } from './agent/agent-api.ts';
import { errorHandler, serverErrorCodes } from './error-reply.ts';
import { registerOpenApi } from './openapi.ts';
import { registerRequestLog } from './request-log.ts';
import { decorateRequestState } from './request-state.ts';

/**
 * Adds another part's routes to the server (SCIM, the control panel), typically with
 * `app.register(plugin, { prefix })` so the part keeps its own hooks and error handler.
 */
export type ServerPlugin = (app: FastifyInstance) => Promise<void>;

export interface BuildServerOptions {
  service: AgentApiService;
  logger: Logger;
  clock?: Clock;
  /** PEM certificate and key; without them the server speaks plain HTTP (loopback only). */
  tls?: { certificatePem: string; privateKeyPem: string } | null;
  /** Registered after the agent API, in order; their routes join the OpenAPI document. */
  plugins?: ServerPlugin[];
  /** Default 90 s: agents renew every third of it, so two missed renewals still keep it. */
  leaseTtlSeconds?: number;
  /** Default 32 MiB: 1,000 records with long attribute values. */
  batchBodyLimitBytes?: number;
}

export const defaultLeaseTtlSeconds = 90;
export const defaultBatchBodyLimitBytes = 32 * 1024 * 1024;

/**
 * Time a client has to send one whole request, headers and body, in milliseconds. fastify turns
 * Node's limit off by default, so a client that trickles a body would hold its socket forever.
 * 5 minutes is Node's own default and leaves a full 32 MiB batch about 1 Mbit/s.
 */
export const requestTimeoutMs = 5 * 60 * 1000;

/**
 * Builds the hosted service's HTTP server: the agent API, the OpenAPI document and the given
 * plugins. It does not listen; the caller calls `listen` (or `inject` in tests).
 */
export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const app = createFastify(options);
  decorateRequestState(app);
  registerRequestLog(app);
  app.setErrorHandler(errorHandler(serverErrorCodes));
  app.setNotFoundHandler(() => {
    throw new UserPilotError('UP_SERVER_ROUTE_NOT_FOUND', 'No route matches the request.', {
      hint: 'The OpenAPI document at /openapi.json lists the routes.',
    });
  });

  // Swagger collects routes as they are added, so it must come before every route.
  await registerOpenApi(app);
  await app.register(agentApiPlugin, {
    prefix: agentApiPrefix,
    service: options.service,
    clock: options.clock ?? systemClock,
    leaseTtlSeconds: options.leaseTtlSeconds ?? defaultLeaseTtlSeconds,
    batchBodyLimitBytes: options.batchBodyLimitBytes ?? defaultBatchBodyLimitBytes,
  });
  for (const addRoutes of options.plugins ?? []) await addRoutes(app);
  await app.ready();
  return app;
}

function createFastify(options: BuildServerOptions): FastifyInstance {
  const base = {
    loggerInstance: componentLogger(options.logger, 'server'),
    // registerRequestLog writes one line per request instead of fastify's two.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    // Strict JSON types: a string "1" is not an integer, and unknown fields are rejected where
    // a schema forbids them instead of being dropped silently.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    requestTimeout: requestTimeoutMs,
    frameworkErrors: rejectRouterFailure,
  };
  const tls = options.tls ?? null;
  if (tls === null) return fastify(base) as unknown as FastifyInstance;
  // fastify types an HTTPS instance apart from an HTTP one; the routes use neither's specifics.
  return fastify({
    ...base,
    https: { cert: tls.certificatePem, key: tls.privateKeyPem },
  }) as unknown as FastifyInstance;
}

const handleServerError = errorHandler(serverErrorCodes);

/**
 * Replies to a URL that fails in the router (malformed percent-encoding, an over-long parameter)
 * with the error body. fastify runs no onResponse hook for these, so the log line is written here.
 */
function rejectRouterFailure(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  handleServerError(error, request, reply);
  const line = {
    method: request.method,
    route: 'unmatched',
    status_code: reply.statusCode,
    code: request.errorCode,
  };
  request.log.info(line, 'request rejected');
}
