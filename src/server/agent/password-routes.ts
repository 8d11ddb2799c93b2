import type { FastifyInstance } from 'fastify';
import type { PasswordApi } from '../../hosted/index.ts';
import { agentRoutes } from '../../protocol/agent-api.ts';
import {
  passwordDeliveryRequestSchema,
  passwordDeliveryResponseSchema,
  type PasswordDeliveryRequest,
  type PasswordDeliveryResponse,
  type PasswordDeliveryResult,
} from '../../protocol/passwords.ts';
import { agentRouteSchema } from './route-schemas.ts';
import { relative, requireAgent } from './session-routes.ts';

/**
 * Registers POST /agent/v1/passwords: captured password changes, each stored by the hosted
 * service as an argon2id hash when it is newer (by pwdLastSet) than the one held. Deliveries
 * are independent of the directory lease, because every agent forwards what its own DC
 * captured. The log line counts verdicts and names anchors only.
 */
export function registerPasswordRoutes(
  app: FastifyInstance,
  options: { service: { passwords: PasswordApi } },
): void {
  const { passwords } = options.service;

  app.post<{ Body: PasswordDeliveryRequest }>(
    relative(agentRoutes.passwords),
    {
      schema: agentRouteSchema({
        summary: 'Deliver captured password changes',
        body: passwordDeliveryRequestSchema,
        response: passwordDeliveryResponseSchema,
      }),
    },
    async (request): Promise<PasswordDeliveryResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const actor = { kind: 'agent', id: agentId } as const;
      const results: PasswordDeliveryResult[] = [];
      // One at a time: each submission computes an argon2id hash (about 0.1 s of CPU), and a
      // burst of parallel hashes would stall the service's other requests.
      for (const delivery of request.body.deliveries) {
        const status = await passwords.submit(
          tenantId,
          { anchor: delivery.anchor, password: delivery.password, pwdLastSet: delivery.pwdLastSet },
          actor,
        );
        results.push({ id: delivery.id, anchor: delivery.anchor, status });
      }
      request.log.info(
        {
          tenant_id: tenantId,
          agent_id: agentId,
          count: results.length,
          ...countVerdicts(results),
        },
        'password deliveries applied',
      );
      return { results };
    },
  );
}

function countVerdicts(results: readonly PasswordDeliveryResult[]): Record<string, number> {
  const counts = { stored: 0, stale: 0, policy_violation: 0 };
  for (const { status } of results) {
    if (status === 'stored') counts.stored += 1;
    else if (status === 'stale') counts.stale += 1;
    else counts.policy_violation += 1;
  }
  return counts;
}
