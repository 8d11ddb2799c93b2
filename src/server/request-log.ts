import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Logs one line per finished request: 5xx at error, 4xx at info, the rest at debug. The line
 * holds the method, the route pattern, the status, the time taken, and the agent's ids or the
 * SCIM token's tenant. It never holds a body, a query string or a header, so no password or
 * credential can reach it.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const status = reply.statusCode;
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: status,
      duration_ms: Math.round(reply.elapsedTime),
      ...(request.agent === null
        ? {}
        : { tenant_id: request.agent.tenantId, agent_id: request.agent.agentId }),
      ...(typeof request.scimTenantId === 'string' ? { tenant_id: request.scimTenantId } : {}),
      ...(request.errorCode === null ? {} : { code: request.errorCode }),
    };
    if (status >= 500) request.log.error(line, 'request failed');
    else if (status >= 400) request.log.info(line, 'request rejected');
    else request.log.debug(line, 'request completed');
    done();
  });
}
