import { Type, type Static } from 'typebox';
import { agentFactsSchema } from './sign-in.ts';
import { leaseStateSchema } from './lease.ts';

export const heartbeatRequestSchema = agentFactsSchema;

export type HeartbeatRequest = Static<typeof heartbeatRequestSchema>;

export const heartbeatResponseSchema = Type.Object({
  serverTime: Type.String({ format: 'date-time' }),
  /** The tenant's directory lease as the service holds it now. */
  lease: leaseStateSchema,
});

export type HeartbeatResponse = Static<typeof heartbeatResponseSchema>;
