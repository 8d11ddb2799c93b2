import type { FastifyInstance } from 'fastify';
import type { LeaseResult } from '../../hosted/index.ts';
import { agentRoutes } from '../../protocol/agent-api.ts';
import {
  leaseAcquireRequestSchema,
  leaseReleaseRequestSchema,
  leaseReleaseResponseSchema,
  leaseRenewRequestSchema,
  leaseResponseSchema,
  type LeaseReleaseRequest,
  type LeaseReleaseResponse,
  type LeaseRenewRequest,
  type LeaseResponse,
} from '../../protocol/lease.ts';
import type { AgentApiOptions } from './agent-api.ts';
import { agentRouteSchema } from './route-schemas.ts';
import { relative, requireAgent } from './session-routes.ts';
import { toLeaseState } from './wire.ts';

/**
 * Acquire, renew and release the tenant's directory lease. A refusal is an expected outcome
 * (another agent holds the lease), so it is a 200 with `granted: false` and the holder.
 */
export function registerLeaseRoutes(app: FastifyInstance, options: AgentApiOptions): void {
  const { service, leaseTtlSeconds } = options;
  const ttlMs = leaseTtlSeconds * 1000;
  const toResponse = (result: LeaseResult): LeaseResponse => ({
    granted: result.acquired,
    ...(result.acquired ? {} : { reason: result.reason }),
    lease: toLeaseState(result.lease, leaseTtlSeconds),
  });

  app.post(
    relative(agentRoutes.leaseAcquire),
    {
      schema: agentRouteSchema({
        summary: 'Acquire the directory lease, or learn who holds it',
        body: leaseAcquireRequestSchema,
        response: leaseResponseSchema,
      }),
    },
    async (request): Promise<LeaseResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const result = await service.lease.acquire(tenantId, agentId, ttlMs);
      if (result.acquired) request.log.debug({ epoch: result.lease.epoch }, 'lease granted');
      return toResponse(result);
    },
  );

  app.post<{ Body: LeaseRenewRequest }>(
    relative(agentRoutes.leaseRenew),
    {
      schema: agentRouteSchema({
        summary: 'Extend the directory lease held at an epoch',
        body: leaseRenewRequestSchema,
        response: leaseResponseSchema,
      }),
    },
    async (request): Promise<LeaseResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const result = await service.lease.renew(tenantId, agentId, request.body.epoch, ttlMs);
      return toResponse(result);
    },
  );

  app.post<{ Body: LeaseReleaseRequest }>(
    relative(agentRoutes.leaseRelease),
    {
      schema: agentRouteSchema({
        summary: 'Give up the directory lease held at an epoch',
        body: leaseReleaseRequestSchema,
        response: leaseReleaseResponseSchema,
      }),
    },
    async (request): Promise<LeaseReleaseResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      return { released: await service.lease.release(tenantId, agentId, request.body.epoch) };
    },
  );
}
