import { agentRoutes, runRoute } from '../../../src/protocol/agent-api.ts';
import type { BatchRequest, BatchResponse } from '../../../src/protocol/batch.ts';
import type { LeaseResponse } from '../../../src/protocol/lease.ts';
import type { RunEndResponse, RunKind, RunStartResponse } from '../../../src/protocol/runs.ts';
import type { SignInResponse } from '../../../src/protocol/sign-in.ts';
import type { AgentHttp, HttpResult } from './agent-http.ts';
import type { TestTenant } from './test-server.ts';

/** Signs an agent in with the tenant's install credentials; fails the test on any refusal. */
export function signIn(http: AgentHttp, tenant: TestTenant, host: string): Promise<SignInResponse> {
  return http.ok<SignInResponse>({
    path: agentRoutes.signIn,
    body: {
      userName: tenant.install.user,
      password: tenant.install.password,
      agent: { host, dc: `dc-${host}`, version: '0.1.0' },
    },
  });
}

/** The steps of the run protocol for one signed-in agent. */
export class TestAgent {
  constructor(
    readonly http: AgentHttp,
    readonly credential: string,
  ) {}

  acquire(): Promise<LeaseResponse> {
    return this.http.ok({ path: agentRoutes.leaseAcquire, body: {}, credential: this.credential });
  }

  startRun(kind: RunKind, epoch: number): Promise<HttpResult> {
    return this.http.send({
      path: agentRoutes.runStart,
      body: { kind, epoch },
      credential: this.credential,
    });
  }

  async startRunOk(kind: RunKind, epoch: number): Promise<string> {
    const result = await this.startRun(kind, epoch);
    if (result.status !== 200) throw new Error(`run start: ${JSON.stringify(result.body)}`);
    return (result.body as RunStartResponse).runId;
  }

  sendBatch(runId: string, batch: Partial<BatchRequest> & { epoch: number }): Promise<HttpResult> {
    return this.http.send({
      path: runRoute(agentRoutes.runBatch, runId),
      body: { sequence: 1, records: [], removals: [], ...batch },
      credential: this.credential,
    });
  }

  async sendBatchOk(
    runId: string,
    batch: Partial<BatchRequest> & { epoch: number },
  ): Promise<BatchResponse> {
    const result = await this.sendBatch(runId, batch);
    if (result.status !== 200) throw new Error(`batch: ${JSON.stringify(result.body)}`);
    return result.body as BatchResponse;
  }

  endRunOk(runId: string, epoch: number, complete: boolean): Promise<RunEndResponse> {
    return this.http.ok({
      path: runRoute(agentRoutes.runEnd, runId),
      body: { epoch, complete, counts: { batches: 0, records: 0, removals: 0, manifest: 0 } },
      credential: this.credential,
    });
  }
}
