import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { HostedService } from '../../hosted/index.ts';
import { UserPilotError } from '../../protocol/errors.ts';
import { agentErrorCodes, errorHandler } from '../error-reply.ts';
import { authenticateAgent, checkAgentClock } from './agent-hooks.ts';
import { registerLeaseRoutes } from './lease-routes.ts';
import { registerPasswordRoutes } from './password-routes.ts';
import { registerRunRoutes } from './run-routes.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { toAgentError } from './wire.ts';

/** The parts of the hosted service the agent API calls. */
export type AgentApiService = Pick<HostedService, 'agents' | 'lease' | 'runs' | 'passwords'>;

export interface AgentApiOptions {
  service: AgentApiService;
  clock: Clock;
  /** Time-to-live granted at each lease acquire or renew. */
  leaseTtlSeconds: number;
  /** Size limit of a batch request body; other agent routes keep fastify's 1 MiB default. */
  batchBodyLimitBytes: number;
}

/**
 * The agent API as a fastify plugin, registered under the version prefix (`/agent/v1`). Each
 * request first has its clock checked, then its credential (except sign-in); the routes act
 * only on the tenant of that credential.
 */
export async function agentApiPlugin(
  app: FastifyInstance,
  options: AgentApiOptions,
): Promise<void> {
  // The agent sends JSON only; dropping the text parser makes any other type a 415.
  app.removeContentTypeParser('text/plain');

  const handleError = errorHandler(agentErrorCodes);
  app.setErrorHandler((error, request, reply) => {
    handleError(toAgentError(error), request, reply);
  });
  app.setNotFoundHandler(() => {
    throw new UserPilotError('UP_AGENT_API_NOT_FOUND', 'No agent API route matches the request.', {
      hint: 'Check that the agent and service versions match.',
    });
  });

  app.addHook('onRequest', async (request) => {
    checkAgentClock(request, options.clock);
    if (request.routeOptions.config.authenticated === false) return;
    await authenticateAgent(request, options.service.agents);
  });

  registerSessionRoutes(app, options);
  registerLeaseRoutes(app, options);
  registerRunRoutes(app, options);
  registerPasswordRoutes(app, options);
  await Promise.resolve();
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** False on the one agent route that takes no agent credential (sign-in). */
    authenticated?: boolean;
  }
}
