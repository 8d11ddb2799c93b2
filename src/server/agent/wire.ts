/**
 * Conversions from the hosted service's values to the agent API's wire types. The wire types
 * live in src/protocol and are versioned; these functions are the only place where the two
 * meet, so the hosted model can change without changing what agents receive.
 */
import type { Lease, ObjectResult as HostedObjectResult, Run } from '../../hosted/index.ts';
import type { ObjectResult } from '../../protocol/batch.ts';
import { isUserPilotError, UserPilotError, type ErrorCode } from '../../protocol/errors.ts';
import type { LeaseState } from '../../protocol/lease.ts';
import type { RunStatusResponse } from '../../protocol/runs.ts';

export function toLeaseState(lease: Lease, ttlSeconds: number): LeaseState {
  return {
    holderAgentId: lease.agentId,
    epoch: lease.epoch,
    expiresAt: lease.expiresAt,
    ttlSeconds,
  };
}

export function toRunStatus(run: Run): RunStatusResponse {
  return {
    runId: run.id,
    kind: run.kind,
    epoch: run.epoch,
    state: run.state,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    summary: { ...run.summary },
  };
}

export function toObjectResult(result: HostedObjectResult): ObjectResult {
  const wire: ObjectResult = { anchor: result.anchor, status: result.status };
  if (result.eligible !== undefined) wire.eligible = result.eligible;
  if (result.reason !== undefined) wire.reason = result.reason;
  if (result.code !== undefined) wire.code = result.code;
  if (result.attribute !== undefined) wire.attribute = result.attribute;
  if (result.message !== undefined) wire.message = result.message;
  return wire;
}

/**
 * The agent API's codes for the hosted rejections an agent acts on: it stands by when the lease
 * is gone and starts a new run when its run is gone. The agent then depends only on codes the
 * protocol defines.
 */
const agentCodeOf: Partial<Record<ErrorCode, ErrorCode>> = {
  UP_HOSTED_LEASE_NOT_HELD: 'UP_AGENT_API_LEASE_NOT_HELD',
  UP_HOSTED_EPOCH_STALE: 'UP_AGENT_API_STALE_EPOCH',
  UP_HOSTED_RUN_NOT_FOUND: 'UP_AGENT_API_RUN_NOT_FOUND',
  UP_HOSTED_RUN_CLOSED: 'UP_AGENT_API_RUN_ENDED',
};

/** Re-labels a hosted rejection with the agent API's code; other errors pass unchanged. */
export function toAgentError(error: unknown): unknown {
  if (!isUserPilotError(error)) return error;
  const code = agentCodeOf[error.code];
  if (code === undefined) return error;
  const options: { hint?: string; details: Record<string, unknown>; cause: unknown } = {
    details: { ...error.details },
    cause: error,
  };
  if (error.hint !== undefined) options.hint = error.hint;
  return new UserPilotError(code, error.message, options);
}
