import { Type, type Static } from 'typebox';

/**
 * A run brackets one read of the scope: start, batches, end. A full run also sends the manifest
 * (every anchor in the scope), and its end says whether the read was complete; only then does
 * the service compute implied removals. A delta run sends only changes and explicit removals.
 */
export const runKindSchema = Type.Union([Type.Literal('full'), Type.Literal('delta')]);

export type RunKind = Static<typeof runKindSchema>;

export const runStartRequestSchema = Type.Object(
  {
    kind: runKindSchema,
    epoch: Type.Integer({ minimum: 1, description: 'Epoch of the lease the agent holds' }),
  },
  { additionalProperties: false },
);

export type RunStartRequest = Static<typeof runStartRequestSchema>;

export const runStartResponseSchema = Type.Object({
  runId: Type.String(),
  kind: runKindSchema,
  epoch: Type.Integer(),
});

export type RunStartResponse = Static<typeof runStartResponseSchema>;

export const runParamsSchema = Type.Object({
  runId: Type.String({ minLength: 1, maxLength: 128 }),
});

export type RunParams = Static<typeof runParamsSchema>;

/** Counts the agent sent over the whole run; the service compares them with what it received. */
export const runCountsSchema = Type.Object(
  {
    batches: Type.Integer({ minimum: 0 }),
    records: Type.Integer({ minimum: 0 }),
    removals: Type.Integer({ minimum: 0 }),
    manifest: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export type RunCounts = Static<typeof runCountsSchema>;

export const runEndRequestSchema = Type.Object(
  {
    epoch: Type.Integer({ minimum: 1 }),
    /** True only when the read finished without error or truncation. */
    complete: Type.Boolean(),
    counts: runCountsSchema,
  },
  { additionalProperties: false },
);

export type RunEndRequest = Static<typeof runEndRequestSchema>;

export const runStateSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('complete'),
  Type.Literal('incomplete'),
  Type.Literal('abandoned'),
]);

export type RunState = Static<typeof runStateSchema>;

/** Object counts of a run so far, as the service applied them. */
export const runSummarySchema = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  rejected: Type.Integer(),
  removed: Type.Integer(),
  held: Type.Integer(),
  manifest: Type.Integer(),
});

export type RunSummary = Static<typeof runSummarySchema>;

export const runStatusResponseSchema = Type.Object({
  runId: Type.String(),
  kind: runKindSchema,
  epoch: Type.Integer(),
  state: runStateSchema,
  startedAt: Type.String({ format: 'date-time' }),
  endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  summary: runSummarySchema,
});

export type RunStatusResponse = Static<typeof runStatusResponseSchema>;

/**
 * The outcome of a run's end. Implied removals (objects held but missing from the manifest) are
 * computed only for a full run that ended complete: `removed` counts those applied and `held`
 * those kept for an admin's approval because they exceed the tenant's removal threshold.
 */
export const runEndResponseSchema = Type.Object({
  run: runStatusResponseSchema,
  removed: Type.Integer({ minimum: 0 }),
  held: Type.Integer({ minimum: 0 }),
  /**
   * Set when the service ended a run reported complete as incomplete, because it received
   * fewer records or manifest anchors than the agent's counts report as sent.
   */
  reason: Type.Optional(Type.String()),
});

export type RunEndResponse = Static<typeof runEndResponseSchema>;
