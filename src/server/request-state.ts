/**
 * Per-request state the server's hooks attach to fastify's request object. Each request gets
 * its own values (fastify's decorateRequest with null), so nothing of one request lives on a
 * shared instance.
 */
import type { FastifyInstance } from 'fastify';

/** The agent a valid bearer credential belongs to; every agent route acts only on its tenant. */
export interface AuthenticatedAgent {
  agentId: string;
  tenantId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the agent authentication hook; null on routes that take no agent credential. */
    agent: AuthenticatedAgent | null;
    /** The registry code of a failed request, for its log line. */
    errorCode: string | null;
  }
}

export function decorateRequestState(app: FastifyInstance): void {
  app.decorateRequest('agent', null);
  app.decorateRequest('errorCode', null);
}
