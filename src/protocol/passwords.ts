import { Type, type Static } from 'typebox';
import { anchorSchema } from './record-schema.ts';

/** Largest number of password deliveries in one request. */
export const maxPasswordDeliveries = 100;

/**
 * One captured password change. The password travels in clear text inside TLS only; the
 * service keeps an argon2id hash of it and nothing else. `pwdLastSet` orders deliveries: the
 * service keeps the newest, so a late or repeated delivery never rolls a password back.
 */
export const passwordDeliverySchema = Type.Object(
  {
    id: Type.String({
      minLength: 1,
      maxLength: 64,
      description: "The agent's own id of the delivery, echoed in its result",
    }),
    anchor: anchorSchema,
    password: Type.String({
      minLength: 1,
      maxLength: 512,
      description: 'The new password in clear text (AD allows at most 256 characters)',
    }),
    pwdLastSet: Type.String({
      format: 'date-time',
      description: "The change's time in AD (pwdLastSet) as an ISO 8601 UTC instant",
    }),
  },
  { additionalProperties: false },
);

export type PasswordDelivery = Static<typeof passwordDeliverySchema>;

export const passwordDeliveryRequestSchema = Type.Object(
  {
    deliveries: Type.Array(passwordDeliverySchema, {
      minItems: 1,
      maxItems: maxPasswordDeliveries,
    }),
  },
  { additionalProperties: false },
);

export type PasswordDeliveryRequest = Static<typeof passwordDeliveryRequestSchema>;

/**
 * The service's verdict on one delivery. Every verdict is final, so the agent removes the
 * delivery from its outbox: `stored` became the object's password; `stale` lost to an equal or
 * newer one; `policy-violation` broke the tenant's password policy (recorded as an event for
 * the admin).
 */
export const passwordDeliveryResultSchema = Type.Object({
  id: Type.String(),
  anchor: anchorSchema,
  status: Type.Union([
    Type.Literal('stored'),
    Type.Literal('stale'),
    Type.Literal('policy-violation'),
  ]),
});

export type PasswordDeliveryResult = Static<typeof passwordDeliveryResultSchema>;

export const passwordDeliveryResponseSchema = Type.Object({
  results: Type.Array(passwordDeliveryResultSchema),
});

export type PasswordDeliveryResponse = Static<typeof passwordDeliveryResponseSchema>;
