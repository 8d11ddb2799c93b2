import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { version } from '../cli/version.ts';
import { agentSecurityScheme } from './agent/route-schemas.ts';
import { scimSecurityScheme } from './scim/routes/route-schemas.ts';

/** Path of the OpenAPI document. */
export const openApiPath = '/openapi.json';

/**
 * Registers @fastify/swagger, which builds the OpenAPI 3 document from the schemas of every
 * route registered after it (agent API, SCIM, panel), and serves the document.
 */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'UserPilot hosted service',
        description: 'Agent API for directory synchronization, and the other HTTP interfaces.',
        version,
      },
      components: {
        securitySchemes: {
          [agentSecurityScheme]: {
            type: 'http',
            scheme: 'bearer',
            description: 'The credential an agent received at sign-in',
          },
          [scimSecurityScheme]: {
            type: 'http',
            scheme: 'bearer',
            description: 'A SCIM token of a tenant, from `userpilot scim token create`',
          },
        },
      },
    },
  });
  app.get(openApiPath, { schema: { hide: true } }, () => app.swagger());
}
