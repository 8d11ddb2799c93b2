import type { FastifyInstance } from 'fastify';
import { agentApiPrefix, agentRoutes } from '../../protocol/agent-api.ts';
import { UserPilotError } from '../../protocol/errors.ts';
import {
  heartbeatRequestSchema,
  heartbeatResponseSchema,
  type HeartbeatRequest,
  type HeartbeatResponse,
} from '../../protocol/heartbeat.ts';
import {
  signInRequestSchema,
  signInResponseSchema,
  type SignInRequest,
  type SignInResponse,
} from '../../protocol/sign-in.ts';
import type { AgentApiOptions } from './agent-api.ts';
import { agentRouteSchema } from './route-schemas.ts';
import { toLeaseState } from './wire.ts';

/** Sign-in (registration with the install credentials) and heartbeat. */
export function registerSessionRoutes(app: FastifyInstance, options: AgentApiOptions): void {
  const { service, clock } = options;

  app.post<{ Body: SignInRequest }>(
    relative(agentRoutes.signIn),
    {
      config: { authenticated: false },
      schema: agentRouteSchema({
        summary: "Register an agent with the tenant's install credentials",
        body: signInRequestSchema,
        response: signInResponseSchema,
        authenticated: false,
      }),
    },
    // NOTE: sign-in has no throttle of its own; argon2id makes each guess of the install
    // password cost about 0.1 s of the server's CPU.
    async (request): Promise<SignInResponse> => {
      const { userName, password, agent } = request.body;
      const registration = await service.agents.register(userName, password, agent);
      if (registration === null) {
        throw new UserPilotError('UP_AGENT_API_BAD_CREDENTIALS', 'Password is incorrect.', {
          hint: "Check the tenant's agent install user name and password in the control panel.",
        });
      }
      request.agent = { agentId: registration.agentId, tenantId: registration.tenantId };
      request.log.info(
        { tenant_id: registration.tenantId, agent_id: registration.agentId, host: agent.host },
        'agent registered',
      );
      return registration;
    },
  );

  app.post<{ Body: HeartbeatRequest }>(
    relative(agentRoutes.heartbeat),
    {
      schema: agentRouteSchema({
        summary: 'Report the agent as alive and read the lease',
        body: heartbeatRequestSchema,
        response: heartbeatResponseSchema,
      }),
    },
    async (request): Promise<HeartbeatResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      await service.agents.heartbeat(tenantId, agentId, request.body);
      const lease = await service.lease.get(tenantId);
      return {
        serverTime: clock.now().toISOString(),
        lease: toLeaseState(lease, options.leaseTtlSeconds),
      };
    },
  );
}

/** A route's path inside the plugin, which fastify registers under the version prefix. */
export function relative(route: string): string {
  return route.slice(agentApiPrefix.length);
}

/** The authenticated agent of a route that requires one; the hook guarantees it is set. */
export function requireAgent<T>(agent: T | null): T {
  if (agent === null) throw new Error('An agent route ran without an authenticated agent.');
  return agent;
}
