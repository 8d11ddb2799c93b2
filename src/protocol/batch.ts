import { Type, type Static } from 'typebox';
import { maxBatchObjects, maxManifestAnchors } from './agent-api.ts';
import { anchorSchema, directoryUserRecordSchema } from './record-schema.ts';

/**
 * One batch of a run, applied by the service in one transaction. Applying a batch is
 * idempotent: a resent batch changes nothing and its objects come back `unchanged`. `sequence`
 * numbers the batches of a run from 1; the service echoes it and logs it, and does not use it
 * to detect a resend.
 *
 * `records` plus `removals` hold at most `maxBatchObjects` entries (a larger batch is rejected
 * with 413 before validation). `manifest` is allowed only in a full run.
 */
export const batchRequestSchema = Type.Object(
  {
    epoch: Type.Integer({ minimum: 1 }),
    sequence: Type.Integer({ minimum: 1 }),
    records: Type.Array(directoryUserRecordSchema, { maxItems: maxBatchObjects }),
    removals: Type.Array(anchorSchema, {
      maxItems: maxBatchObjects,
      description: 'Anchors of objects deleted in AD or moved out of the scope',
    }),
    manifest: Type.Optional(
      Type.Array(anchorSchema, {
        maxItems: maxManifestAnchors,
        description: 'A chunk of the full run manifest: anchors of objects in the scope',
      }),
    ),
  },
  { additionalProperties: false },
);

export type BatchRequest = Static<typeof batchRequestSchema>;

/**
 * What happened to one object of a batch. `held` is a removal kept for an admin's approval by
 * the accidental-removal guard; `deferred` is an object the service stored but could not apply
 * yet. A `rejected` object carries a code and a message naming the attribute at fault; every
 * other object of the batch is still applied.
 */
export const objectStatusSchema = Type.Union([
  Type.Literal('created'),
  Type.Literal('updated'),
  Type.Literal('unchanged'),
  Type.Literal('removed'),
  Type.Literal('held'),
  Type.Literal('deferred'),
  Type.Literal('rejected'),
]);

export type ObjectStatus = Static<typeof objectStatusSchema>;

export const objectResultSchema = Type.Object({
  anchor: Type.String(),
  status: objectStatusSchema,
  /** Set for stored records: whether the object is eligible for synchronization. */
  eligible: Type.Optional(Type.Boolean()),
  /** Why a stored record is not eligible (for example `upn-domain-not-registered`). */
  reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  code: Type.Optional(Type.String()),
  attribute: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export type ObjectResult = Static<typeof objectResultSchema>;

export const batchResponseSchema = Type.Object({
  runId: Type.String(),
  sequence: Type.Integer(),
  results: Type.Array(objectResultSchema),
});

export type BatchResponse = Static<typeof batchResponseSchema>;
