import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../core/clock.ts';
import type { AgentApi } from '../../hosted/index.ts';
import {
  agentTimeHeader,
  maxClockSkewSeconds,
  measureClockOffset,
} from '../../protocol/agent-api.ts';
import { UserPilotError } from '../../protocol/errors.ts';

/**
 * Rejects a request whose agent clock is missing or more than five minutes off. It runs before
 * any credential check, so an agent with a wrong clock learns that and not "wrong password".
 */
export function checkAgentClock(request: FastifyRequest, clock: Clock): void {
  const header = request.headers[agentTimeHeader];
  const agentTime = typeof header === 'string' ? header : undefined;
  const serverNow = clock.now();
  const offset = agentTime === undefined ? null : measureClockOffset(agentTime, serverNow);

  if (agentTime === undefined || offset === null) {
    throw new UserPilotError(
      'UP_AGENT_API_AGENT_TIME_MISSING',
      `The request has no valid X-UserPilot-Agent-Time header.`,
      {
        hint: 'Send the agent clock as an ISO 8601 instant, for example 2026-01-01T12:00:00.000Z.',
      },
    );
  }
  if (Math.abs(offset) <= maxClockSkewSeconds) return;

  const direction = offset > 0 ? 'ahead of' : 'behind';
  throw new UserPilotError(
    'UP_AGENT_API_CLOCK_SKEW',
    `The agent clock is ${Math.abs(offset)} seconds ${direction} the service clock ` +
      `(at most ${maxClockSkewSeconds} allowed).`,
    {
      hint: "Synchronize the clock of the agent's host (NTP or the domain time service).",
      details: {
        offsetSeconds: offset,
        maxSkewSeconds: maxClockSkewSeconds,
        agentTime,
        serverTime: serverNow.toISOString(),
      },
    },
  );
}

/**
 * Resolves the bearer credential to its agent and tenant. Routes then act only on that tenant,
 * so one tenant's credential never reaches another's data.
 */
export async function authenticateAgent(request: FastifyRequest, agents: AgentApi): Promise<void> {
  const credential = bearerCredential(request.headers.authorization);
  const agent = credential === null ? null : await agents.verifyCredential(credential);
  if (agent === null || agent.revokedAt !== null) {
    throw new UserPilotError(
      'UP_AGENT_API_UNAUTHORIZED',
      credential === null
        ? 'The request has no agent credential.'
        : 'The agent credential is unknown or revoked.',
      { hint: "Sign the agent in again with the tenant's install user name and password." },
    );
  }
  request.agent = { agentId: agent.id, tenantId: agent.tenantId };
}

function bearerCredential(header: string | undefined): string | null {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
