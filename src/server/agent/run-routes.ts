import type { FastifyInstance, FastifyRequest } from 'fastify';
import { agentRoutes, maxBatchObjects } from '../../protocol/agent-api.ts';
import {
  batchRequestSchema,
  batchResponseSchema,
  type BatchRequest,
  type BatchResponse,
} from '../../protocol/batch.ts';
import { UserPilotError } from '../../protocol/errors.ts';
import {
  runEndRequestSchema,
  runEndResponseSchema,
  runParamsSchema,
  runStartRequestSchema,
  runStartResponseSchema,
  runStatusResponseSchema,
  type RunEndRequest,
  type RunCounts,
  type RunEndResponse,
  type RunParams,
  type RunStartRequest,
  type RunStartResponse,
  type RunStatusResponse,
} from '../../protocol/runs.ts';
import type { AgentApiOptions } from './agent-api.ts';
import { agentRouteSchema } from './route-schemas.ts';
import { relative, requireAgent } from './session-routes.ts';
import { toObjectResult, toRunStatus } from './wire.ts';

/** Registers the run protocol: start, status, batches, end. The service checks the lease. */
export function registerRunRoutes(app: FastifyInstance, options: AgentApiOptions): void {
  const { service } = options;

  app.post<{ Body: RunStartRequest }>(
    relative(agentRoutes.runStart),
    {
      schema: agentRouteSchema({
        summary: 'Start a full or delta run under the lease',
        body: runStartRequestSchema,
        response: runStartResponseSchema,
      }),
    },
    async (request): Promise<RunStartResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const { kind, epoch } = request.body;
      const run = await service.runs.start(tenantId, agentId, epoch, kind);
      request.log.info({ run_id: run.id, kind, epoch }, 'run started');
      return { runId: run.id, kind: run.kind, epoch: run.epoch };
    },
  );

  app.get<{ Params: RunParams }>(
    relative(agentRoutes.run),
    {
      schema: agentRouteSchema({
        summary: 'Read the state of a run',
        params: runParamsSchema,
        response: runStatusResponseSchema,
      }),
    },
    async (request): Promise<RunStatusResponse> => {
      const { tenantId } = requireAgent(request.agent);
      const run = await service.runs.get(tenantId, request.params.runId);
      if (run === null) throw runNotFound(request.params.runId);
      return toRunStatus(run);
    },
  );

  app.post<{ Params: RunParams; Body: BatchRequest }>(
    relative(agentRoutes.runBatch),
    {
      bodyLimit: options.batchBodyLimitBytes,
      preValidation: rejectOversizedBatch,
      schema: agentRouteSchema({
        summary: 'Apply one batch of records, removals and manifest anchors',
        params: runParamsSchema,
        body: batchRequestSchema,
        response: batchResponseSchema,
      }),
    },
    async (request): Promise<BatchResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const { runId } = request.params;
      const { epoch, sequence, records, removals, manifest = [] } = request.body;
      if (manifest.length > 0) await rejectManifestInDelta(options, tenantId, runId);

      const ref = { tenantId, agentId, runId, epoch };
      const result = await service.runs.applyBatch(ref, { records, removals, manifest });
      request.log.debug(
        { run_id: runId, sequence, count: records.length + removals.length },
        'batch applied',
      );
      return { runId, sequence, results: result.results.map(toObjectResult) };
    },
  );

  app.post<{ Params: RunParams; Body: RunEndRequest }>(
    relative(agentRoutes.runEnd),
    {
      schema: agentRouteSchema({
        summary: 'End a run; a complete full run applies or holds its implied removals',
        params: runParamsSchema,
        body: runEndRequestSchema,
        response: runEndResponseSchema,
      }),
    },
    async (request): Promise<RunEndResponse> => {
      const { tenantId, agentId } = requireAgent(request.agent);
      const { runId } = request.params;
      const { epoch, complete, counts } = request.body;
      const shortfall = complete ? await findShortfall(options, tenantId, runId, counts) : null;
      if (shortfall !== null) request.log.warn({ run_id: runId, sent: counts }, shortfall);

      const ref = { tenantId, agentId, runId, epoch };
      const result = await service.runs.end(ref, complete && shortfall === null);
      request.log.info(
        { run_id: runId, complete, sent: counts, removed: result.removed, held: result.held },
        'run ended',
      );
      return {
        run: toRunStatus(result.run),
        removed: result.removed,
        held: result.held,
        ...(shortfall === null ? {} : { reason: shortfall }),
      };
    },
  );
}

/**
 * Compares what the agent says it sent in a full run with what the service applied. When the
 * service received fewer manifest anchors or records, a batch was lost, so the manifest is not
 * the whole scope and the run must end incomplete: implied removals would delete objects that
 * are still in AD. Returns the reason, or null when nothing is missing.
 */
async function findShortfall(
  options: AgentApiOptions,
  tenantId: string,
  runId: string,
  counts: RunCounts,
): Promise<string | null> {
  const run = await options.service.runs.get(tenantId, runId);
  if (run === null) throw runNotFound(runId);
  if (run.kind !== 'full') return null;

  const { created, updated, unchanged, rejected, manifest } = run.summary;
  const records = created + updated + unchanged + rejected;
  // NOTE: resent batches count again on the service side, so a resend can hide a lost batch
  // of the same size; the check catches losses, not every one.
  if (manifest >= counts.manifest && records >= counts.records) return null;
  return (
    `The service received ${manifest} of ${counts.manifest} manifest anchors and ${records} of ` +
    `${counts.records} records, so the run ends incomplete and removes nothing.`
  );
}

/**
 * Counts records and removals before schema validation, so an oversized batch gets 413 and
 * validation never walks a huge array.
 */
function rejectOversizedBatch(request: FastifyRequest): Promise<void> {
  const body = request.body as { records?: unknown; removals?: unknown } | null;
  const count = lengthOf(body?.records) + lengthOf(body?.removals);
  if (count <= maxBatchObjects) return Promise.resolve();
  const error = new UserPilotError(
    'UP_AGENT_API_BATCH_TOO_LARGE',
    `The batch holds ${count} records and removals; at most ${maxBatchObjects} are allowed.`,
    { hint: `Split it into batches of at most ${maxBatchObjects}.`, details: { count } },
  );
  return Promise.reject(error);
}

function lengthOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

async function rejectManifestInDelta(
  options: AgentApiOptions,
  tenantId: string,
  runId: string,
): Promise<void> {
  const run = await options.service.runs.get(tenantId, runId);
  if (run === null) throw runNotFound(runId);
  if (run.kind === 'full') return;
  throw new UserPilotError(
    'UP_AGENT_API_MANIFEST_IN_DELTA',
    `Run ${runId} is a delta run, and only full runs send a manifest.`,
    { hint: 'Send the manifest only in the batches of a full run.', details: { runId } },
  );
}

function runNotFound(runId: string): UserPilotError {
  return new UserPilotError('UP_AGENT_API_RUN_NOT_FOUND', `No run ${runId} exists.`, {
    hint: 'Start a new run.',
    details: { runId },
  });
}
