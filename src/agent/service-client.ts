import type { Clock } from '../core/clock.ts';
import { agentRoutes, agentTimeHeader, runRoute } from '../protocol/agent-api.ts';
import type { BatchRequest, BatchResponse } from '../protocol/batch.ts';
import { UserPilotError } from '../protocol/errors.ts';
import type { HeartbeatResponse } from '../protocol/heartbeat.ts';
import type { LeaseReleaseResponse, LeaseResponse } from '../protocol/lease.ts';
import type { PasswordDeliveryRequest, PasswordDeliveryResponse } from '../protocol/passwords.ts';
import type { RunEndRequest, RunEndResponse, RunKind, RunStartResponse } from '../protocol/runs.ts';
import type { AgentFacts, SignInResponse } from '../protocol/sign-in.ts';
import { isErrorBody, type ServiceTransport } from './transport.ts';

/** An error response of the agent API, returned as a value so the caller decides what it means. */
export interface ApiRejection {
  ok: false;
  status: number;
  code: string;
  message: string;
  hint: string | undefined;
  details: Record<string, unknown>;
}

export type ApiResult<T> = { ok: true; value: T } | ApiRejection;

/**
 * The agent API of the hosted service. Every request carries the agent's clock. Two error
 * responses become errors in the admin's words: a rejected install password ("Password is
 * incorrect") and a clock more than 5 minutes off (with the offset). Every other error response
 * is returned as a value.
 */
export class ServiceClient {
  private credential: string | undefined;

  constructor(
    private readonly transport: ServiceTransport,
    private readonly clock: Clock,
  ) {}

  get url(): string {
    return this.transport.baseUrl.toString().replace(/\/$/, '');
  }

  /** Uses a credential the service gave at an earlier sign-in. */
  useCredential(credential: string): void {
    this.credential = credential;
  }

  /** Signs in with the install credentials; registers the agent and keeps its own credential. */
  async signIn(userName: string, password: string, agent: AgentFacts): Promise<SignInResponse> {
    const result = await this.call<SignInResponse>(
      'POST',
      agentRoutes.signIn,
      { userName, password, agent },
      false,
    );
    if (!result.ok) {
      if (result.code === 'UP_AGENT_API_BAD_CREDENTIALS') {
        throw new UserPilotError('UP_AGENT_PASSWORD_INCORRECT', 'Password is incorrect.', {
          hint: `The service at ${this.url} rejected the install user name "${userName}" or its password; copy both again from the panel's UserPilot setup page.`,
          details: { url: this.url, user: userName },
        });
      }
      throw serviceError(this.url, result);
    }
    this.credential = result.value.credential;
    return result.value;
  }

  heartbeat(facts: AgentFacts): Promise<ApiResult<HeartbeatResponse>> {
    return this.call('POST', agentRoutes.heartbeat, facts);
  }

  acquireLease(): Promise<ApiResult<LeaseResponse>> {
    return this.call('POST', agentRoutes.leaseAcquire, {});
  }

  renewLease(epoch: number): Promise<ApiResult<LeaseResponse>> {
    return this.call('POST', agentRoutes.leaseRenew, { epoch });
  }

  releaseLease(epoch: number): Promise<ApiResult<LeaseReleaseResponse>> {
    return this.call('POST', agentRoutes.leaseRelease, { epoch });
  }

  startRun(kind: RunKind, epoch: number): Promise<ApiResult<RunStartResponse>> {
    return this.call('POST', agentRoutes.runStart, { kind, epoch });
  }

  sendBatch(runId: string, batch: BatchRequest): Promise<ApiResult<BatchResponse>> {
    return this.call('POST', runRoute(agentRoutes.runBatch, runId), batch);
  }

  endRun(runId: string, end: RunEndRequest): Promise<ApiResult<RunEndResponse>> {
    return this.call('POST', runRoute(agentRoutes.runEnd, runId), end);
  }

  /** Delivers captured password changes; the caller sends them only over https://. */
  submitPasswords(request: PasswordDeliveryRequest): Promise<ApiResult<PasswordDeliveryResponse>> {
    return this.call('POST', agentRoutes.passwords, request);
  }

  /** Reads the service's Date header from an unauthenticated heartbeat request (for diagnostics). */
  async fetchDateHeader(): Promise<string | undefined> {
    const response = await this.transport.send(
      'POST',
      agentRoutes.heartbeat,
      {},
      {
        [agentTimeHeader]: this.clock.now().toISOString(),
      },
    );
    return response.headers.date;
  }

  close(): void {
    this.transport.close();
  }

  private async call<T>(
    method: string,
    path: string,
    body: unknown,
    authenticated = true,
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { [agentTimeHeader]: this.clock.now().toISOString() };
    if (authenticated) {
      if (this.credential === undefined) throw new Error('The agent has not signed in yet.');
      headers.authorization = `Bearer ${this.credential}`;
    }
    const response = await this.transport.send(method, path, body, headers);
    if (response.status < 400) return { ok: true, value: response.body as T };
    if (!isErrorBody(response.body))
      throw new Error(`unreachable: ${response.status} without error body`);
    const { code, message, hint, details } = response.body.error;
    if (code === 'UP_AGENT_API_CLOCK_SKEW') throw this.clockSkew(details, response.headers.date);
    return { ok: false, status: response.status, code, message, hint, details: details ?? {} };
  }

  private clockSkew(
    details: Record<string, unknown> | undefined,
    dateHeader: string | undefined,
  ): UserPilotError {
    const offset = readOffset(details) ?? offsetFromDate(dateHeader, this.clock.now());
    const ahead =
      offset === undefined
        ? 'differs from'
        : offset > 0
          ? `is ${offset} s ahead of`
          : `is ${-offset} s behind`;
    return new UserPilotError(
      'UP_AGENT_CLOCK_SKEW',
      `This machine's clock ${ahead} the clock of the service at ${this.url}, by more than the 5 minutes allowed.`,
      {
        hint: 'Synchronize the clock of this machine (NTP) and start again.',
        details: { url: this.url, ...(offset === undefined ? {} : { offset_seconds: offset }) },
      },
    );
  }
}

// The service names the offset in its details; the key is not fixed by the wire schema, so
// the usual spellings are read, and the Date header is the fallback.
function readOffset(details: Record<string, unknown> | undefined): number | undefined {
  for (const key of ['offsetSeconds', 'offset_seconds', 'offset', 'skewSeconds']) {
    const value = details?.[key];
    if (typeof value === 'number') return value;
  }
  return undefined;
}

function offsetFromDate(dateHeader: string | undefined, now: Date): number | undefined {
  if (dateHeader === undefined) return undefined;
  const serverMs = Date.parse(dateHeader);
  return Number.isNaN(serverMs) ? undefined : Math.round((now.getTime() - serverMs) / 1000);
}

/** Wraps an error response the agent cannot resolve by itself. */
export function serviceError(url: string, rejection: ApiRejection): UserPilotError {
  return new UserPilotError(
    'UP_AGENT_SERVICE_ERROR',
    `The service at ${url} rejected the request: ${rejection.code}: ${rejection.message}`,
    {
      ...(rejection.hint === undefined ? {} : { hint: rejection.hint }),
      details: { url, status: rejection.status, service_code: rejection.code },
    },
  );
}
