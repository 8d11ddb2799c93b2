import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  listResponse,
  schemaResources,
  serviceProviderConfig,
  userResourceType,
} from '../discovery.ts';
import { ScimError } from '../errors.ts';
import { sendScim } from './reply.ts';
import { listSchema, scimRouteSchema } from './route-schemas.ts';
import { baseUrlOf } from './users.ts';

const resourceSchema = Type.Object({}, { additionalProperties: true });
const idParams = Type.Object({ id: Type.String() });

/** Registers ServiceProviderConfig, ResourceTypes and Schemas (RFC 7644 section 4). */
export function registerDiscoveryRoutes(app: FastifyInstance): void {
  app.get(
    '/ServiceProviderConfig',
    {
      schema: scimRouteSchema({
        summary: 'The features this SCIM service supports',
        responses: { 200: resourceSchema },
      }),
    },
    (request, reply) => sendScim(reply, 200, serviceProviderConfig(baseUrlOf(request))),
  );

  app.get(
    '/ResourceTypes',
    {
      schema: scimRouteSchema({
        summary: 'The resource types: User only',
        responses: { 200: listSchema },
      }),
    },
    (request, reply) =>
      sendScim(reply, 200, listResponse([userResourceType(baseUrlOf(request))], 1, 1)),
  );

  app.get(
    '/ResourceTypes/:id',
    {
      schema: scimRouteSchema({
        summary: 'One resource type',
        params: idParams,
        responses: { 200: resourceSchema },
      }),
    },
    (request, reply) => {
      const id = (request.params as { id: string }).id;
      if (id !== 'User')
        throw notFound('resource type', id, 'Only User is supported; Groups are not.');
      return sendScim(reply, 200, userResourceType(baseUrlOf(request)));
    },
  );

  app.get(
    '/Schemas',
    {
      schema: scimRouteSchema({
        summary: 'The User schema and the enterprise extension',
        responses: { 200: listSchema },
      }),
    },
    (request, reply) => {
      const schemas = schemaResources(baseUrlOf(request));
      return sendScim(reply, 200, listResponse(schemas, schemas.length, 1));
    },
  );

  app.get(
    '/Schemas/:id',
    {
      schema: scimRouteSchema({
        summary: 'One schema by its URN',
        params: idParams,
        responses: { 200: resourceSchema },
      }),
    },
    (request, reply) => {
      const id = (request.params as { id: string }).id;
      const schema = schemaResources(baseUrlOf(request)).find((item) => item.id === id);
      if (schema === undefined)
        throw notFound('schema', id, 'The User schema and the enterprise extension are supported.');
      return sendScim(reply, 200, schema);
    },
  );
}

/**
 * Registers the endpoints UserPilot does not offer (Groups, Bulk, /Me), each returning 501 with
 * a SCIM error, so a client learns why instead of reading a bare 404.
 */
export function registerUnsupportedRoutes(app: FastifyInstance): void {
  const unsupported = {
    '/Groups': 'Groups are not supported: UserPilot provisions users only.',
    '/Bulk': 'Bulk operations are not supported; send one request per user.',
    '/Me': 'The /Me endpoint is not supported; use /Users/{id}.',
  };
  for (const [path, message] of Object.entries(unsupported)) {
    const handler = (request: FastifyRequest) => {
      throw new ScimError('UP_SCIM_NOT_IMPLEMENTED', message, { details: { path: request.url } });
    };
    const schema = { hide: true };
    app.all(path, { schema }, handler);
    app.all(`${path}/*`, { schema }, handler);
  }
}

function notFound(what: string, id: string, hint: string): ScimError {
  return new ScimError(
    'UP_SCIM_NOT_FOUND',
    `No ${what} with the id ${JSON.stringify(id)} exists.`,
    { hint },
  );
}
