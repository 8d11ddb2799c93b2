import { Type, type Static } from 'typebox';

/** Facts an agent reports about where it runs; sent at sign-in and with every heartbeat. */
export const agentFactsSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255, description: 'Host name of the agent' }),
    dc: Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'Host name of the domain controller the agent reads',
    }),
    version: Type.String({ minLength: 1, maxLength: 64, description: 'UserPilot agent version' }),
  },
  { additionalProperties: false },
);

export type AgentFacts = Static<typeof agentFactsSchema>;

/**
 * Sign-in with the tenant's shared install credentials. It registers the agent and returns an
 * id and a credential of the agent's own, so rotating the install password later leaves the
 * agent working.
 */
export const signInRequestSchema = Type.Object(
  {
    userName: Type.String({ minLength: 1, maxLength: 255, description: 'Install user name' }),
    password: Type.String({ minLength: 1, maxLength: 1024, description: 'Install password' }),
    agent: agentFactsSchema,
  },
  { additionalProperties: false },
);

export type SignInRequest = Static<typeof signInRequestSchema>;

export const signInResponseSchema = Type.Object({
  agentId: Type.String(),
  tenantId: Type.String(),
  /** Sent as `Authorization: Bearer CREDENTIAL` on every later request; shown only once. */
  credential: Type.String({ description: 'Bearer credential of this agent; shown only once' }),
});

export type SignInResponse = Static<typeof signInResponseSchema>;
