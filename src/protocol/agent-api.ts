/**
 * The agent API's version, path prefix, headers and route paths. The agent and the service both
 * import these, so a path is spelled in one place. A breaking change to any wire type gets a new
 * version and prefix (`/agent/v2`); additive changes (a new optional field, a new route) stay in
 * the current one.
 */
export const agentApiVersion = 1;

export const agentApiPrefix = `/agent/v${agentApiVersion}`;

/** The agent's clock at the moment it sent the request, as an ISO 8601 instant. */
export const agentTimeHeader = 'x-userpilot-agent-time';

/** Largest accepted difference between the agent's clock and the service's, in seconds. */
export const maxClockSkewSeconds = 300;

/** Largest number of records plus explicit removals in one batch. */
export const maxBatchObjects = 1000;

/**
 * Largest number of manifest anchors in one batch of a full run. The hosted service applies at
 * most 1,000 entries of each list of a batch, so a larger chunk would fail every full run.
 */
export const maxManifestAnchors = 1000;

/** The routes of version 1, relative to the host. `:runId` is a path parameter. */
export const agentRoutes = {
  signIn: `${agentApiPrefix}/sign-in`,
  heartbeat: `${agentApiPrefix}/heartbeat`,
  leaseAcquire: `${agentApiPrefix}/lease/acquire`,
  leaseRenew: `${agentApiPrefix}/lease/renew`,
  leaseRelease: `${agentApiPrefix}/lease/release`,
  runStart: `${agentApiPrefix}/runs`,
  run: `${agentApiPrefix}/runs/:runId`,
  runBatch: `${agentApiPrefix}/runs/:runId/batches`,
  runEnd: `${agentApiPrefix}/runs/:runId/end`,
  passwords: `${agentApiPrefix}/passwords`,
} as const;

/** Fills a route's `:runId` parameter. */
export function runRoute(route: string, runId: string): string {
  return route.replace(':runId', encodeURIComponent(runId));
}

/**
 * Measures how far the agent's clock is from the service's, in whole seconds: positive when the
 * agent is ahead. Returns null when the header value is not an ISO 8601 instant.
 */
export function measureClockOffset(agentTime: string, serverNow: Date): number | null {
  if (!isoInstantPattern.test(agentTime)) return null;
  const agentMs = Date.parse(agentTime);
  if (Number.isNaN(agentMs)) return null;
  return Math.round((agentMs - serverNow.getTime()) / 1000);
}

// Date.parse accepts many loose forms; the header must carry an explicit zone so both sides
// agree on the instant.
const isoInstantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
