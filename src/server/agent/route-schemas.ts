import { Type, type TSchema } from 'typebox';
import { agentTimeHeader } from '../../protocol/agent-api.ts';
import { errorBodySchema } from '../../protocol/error-body.ts';

/** Security scheme name of the agent's bearer credential in the OpenAPI document. */
export const agentSecurityScheme = 'agentCredential';

const clockHeaders = Type.Object({
  [agentTimeHeader]: Type.String({
    format: 'date-time',
    description: "The agent's clock when it sent the request; more than 5 minutes off is rejected",
  }),
});

export interface AgentRouteSchemaInput {
  summary: string;
  body?: TSchema;
  params?: TSchema;
  response: TSchema;
  /** False for sign-in, the one route that takes the install credentials instead. */
  authenticated?: boolean;
}

/** Builds a route's fastify schema: validation, serialization and its OpenAPI description. */
export function agentRouteSchema(input: AgentRouteSchemaInput): Record<string, unknown> {
  return {
    tags: ['agent'],
    summary: input.summary,
    headers: clockHeaders,
    ...(input.body === undefined ? {} : { body: input.body }),
    ...(input.params === undefined ? {} : { params: input.params }),
    ...(input.authenticated === false ? {} : { security: [{ [agentSecurityScheme]: [] }] }),
    response: { 200: input.response, '4xx': errorBodySchema, '5xx': errorBodySchema },
  };
}
