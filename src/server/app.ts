import fastify, { LogController, type FastifyInstance } from 'fastify';
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
  };
  const tls = options.tls ?? null;
  if (tls === null) return fastify(base) as unknown as FastifyInstance;
  // fastify types an HTTPS instance apart from an HTTP one; the routes use neither's specifics.
  return fastify({
    ...base,
    https: { cert: tls.certificatePem, key: tls.privateKeyPem },
  }) as unknown as FastifyInstance;
}
