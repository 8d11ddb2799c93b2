import { Type, type Static } from 'typebox';

/**
 * The tenant's directory lease. Exactly one agent at a time owns directory synchronization; the
 * epoch rises at every hand-over and every batch carries it, so a former holder's late batches
 * are rejected.
 */
export const leaseStateSchema = Type.Object({
  /** The agent holding the lease; null when nobody holds it or it was released. */
  holderAgentId: Type.Union([Type.String(), Type.Null()]),
  epoch: Type.Integer({ minimum: 0 }),
  /** When the holder's lease ends unless renewed; null when nobody holds it. */
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The time-to-live the service grants at each acquire or renew. */
  ttlSeconds: Type.Integer({ minimum: 1 }),
});

export type LeaseState = Static<typeof leaseStateSchema>;

export const leaseAcquireRequestSchema = Type.Object({}, { additionalProperties: false });

/**
 * The outcome of acquire and renew. `granted` is false when another agent holds an unexpired
 * lease (`reason: held-by-other`); `lease` then names the holder, so the agent stands by.
 */
export const leaseResponseSchema = Type.Object({
  granted: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  lease: leaseStateSchema,
});

export type LeaseResponse = Static<typeof leaseResponseSchema>;

export const leaseRenewRequestSchema = Type.Object(
  { epoch: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

export type LeaseRenewRequest = Static<typeof leaseRenewRequestSchema>;

export const leaseReleaseRequestSchema = leaseRenewRequestSchema;

export type LeaseReleaseRequest = Static<typeof leaseReleaseRequestSchema>;

export const leaseReleaseResponseSchema = Type.Object({ released: Type.Boolean() });

export type LeaseReleaseResponse = Static<typeof leaseReleaseResponseSchema>;
