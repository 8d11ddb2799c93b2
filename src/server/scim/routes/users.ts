import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { HostedService } from '../../../hosted/index.ts';
import { listResponse } from '../discovery.ts';
import { ScimError } from '../errors.ts';
import { isObject } from '../filter/evaluate.ts';
import { readPaging } from '../users/list-query.ts';
import { listUsers, type UserListQuery } from '../users/list-users.ts';
import { projectResource, readProjection, type Projection } from '../users/projection.ts';
import { matchesNoneMatch, ScimUsers, versionOfUser, type ScimUser } from '../users/user-store.ts';
import { sendScim } from './reply.ts';
import {
  idParams,
  listQuerySchema,
  listSchema,
  patchSchema,
  projectionQuerySchema,
  scimRouteSchema,
  searchSchema,
  userSchema,
} from './route-schemas.ts';

type Query = Record<string, string | undefined>;

const projectionDescription = 'attributes and excludedAttributes select what the response shows.';

/** Registers the /Users endpoints of RFC 7644 section 3 on a SCIM plugin instance. */
export function registerUserRoutes(app: FastifyInstance, service: HostedService): void {
  app.get(
    '/Users',
    {
      schema: scimRouteSchema({
        summary: 'List or filter users',
        querystring: listQuerySchema,
        responses: { 200: listSchema },
      }),
    },
    async (request, reply) => {
      const query = request.query as Query;
      await sendList(
        reply,
        service,
        request,
        listQueryOf(query),
        readProjection(query.attributes, query.excludedAttributes),
      );
    },
  );

  app.post(
    '/Users/.search',
    {
      schema: scimRouteSchema({
        summary: 'Search users with a SearchRequest body',
        body: searchSchema,
        responses: { 200: listSchema },
      }),
    },
    async (request, reply) => {
      const body = searchBody(request.body);
      const projection = readProjection(joined(body.attributes), joined(body.excludedAttributes));
      await sendList(reply, service, request, listQueryOf(body), projection);
    },
  );

  app.get(
    '/Users/:id',
    {
      schema: scimRouteSchema({
        summary: 'Get a user',
        description: `Returns 304 when If-None-Match names the current version. ${projectionDescription}`,
        params: idParams,
        querystring: projectionQuerySchema,
        responses: { 200: userSchema },
      }),
    },
    async (request, reply) => {
      const user = await usersOf(service, request).require(idOf(request));
      if (matchesNoneMatch(user, header(request, 'if-none-match'))) {
        return reply.code(304).header('etag', versionOfUser(user)).send();
      }
      return sendUser(reply, request, 200, user);
    },
  );

  app.post(
    '/Users',
    {
      schema: scimRouteSchema({
        summary: 'Create a user',
        description:
          'userName and every email must be in a registered domain and unused (409 uniqueness otherwise).',
        body: userSchema,
        querystring: projectionQuerySchema,
        responses: { 201: userSchema },
      }),
    },
    async (request, reply) => {
      const user = await usersOf(service, request).create(request.body);
      void reply.header('location', (user.resource.meta as { location: string }).location);
      return sendUser(reply, request, 201, user);
    },
  );

  app.put(
    '/Users/:id',
    {
      schema: scimRouteSchema({
        summary: 'Replace a user',
        description:
          'Honours If-Match (412 on a stale version). A user synchronized from AD accepts no change.',
        params: idParams,
        body: userSchema,
        querystring: projectionQuerySchema,
        responses: { 200: userSchema },
      }),
    },
    async (request, reply) => {
      const user = await usersOf(service, request).replace(
        idOf(request),
        request.body,
        header(request, 'if-match'),
      );
      return sendUser(reply, request, 200, user);
    },
  );

  app.patch(
    '/Users/:id',
    {
      schema: scimRouteSchema({
        summary: 'Modify a user with PATCH operations',
        description:
          'Honours If-Match (412 on a stale version). A user synchronized from AD accepts no change.',
        params: idParams,
        body: patchSchema,
        querystring: projectionQuerySchema,
        responses: { 200: userSchema },
      }),
    },
    async (request, reply) => {
      const user = await usersOf(service, request).patch(
        idOf(request),
        request.body,
        header(request, 'if-match'),
      );
      return sendUser(reply, request, 200, user);
    },
  );

  app.delete(
    '/Users/:id',
    {
      schema: scimRouteSchema({
        summary: 'Delete a user',
        description: 'Soft-deletes the mailbox for the tenant retention period. Honours If-Match.',
        params: idParams,
        responses: { 204: Type.Null({ description: 'Deleted' }) },
      }),
    },
    async (request, reply) => {
      await usersOf(service, request).delete(idOf(request), header(request, 'if-match'));
      return reply.code(204).send();
    },
  );
}

function usersOf(service: HostedService, request: FastifyRequest): ScimUsers {
  const tenantId = request.scimTenantId;
  if (tenantId === null || request.scimTokenId === null)
    throw new Error('The SCIM authentication hook did not run.');
  return new ScimUsers(service, tenantId, `${baseUrlOf(request)}/Users`, {
    kind: 'scim',
    id: request.scimTokenId,
  });
}

/** Builds the URL of /scim/v2 as the client reached it, for `meta.location`. */
export function baseUrlOf(request: FastifyRequest): string {
  const prefix =
    request.routeOptions.url?.replace(
      /\/(Users|Schemas|ResourceTypes|ServiceProviderConfig).*$/,
      '',
    ) ?? '';
  return `${request.protocol}://${request.host}${prefix}`;
}

async function sendList(
  reply: FastifyReply,
  service: HostedService,
  request: FastifyRequest,
  query: UserListQuery,
  projection: Projection,
): Promise<void> {
  const page = await listUsers(service, request.scimTenantId!, usersOf(service, request), query);
  const resources = page.resources.map((resource) => projectResource(resource, projection));
  await sendScim(reply, 200, listResponse(resources, page.totalResults, page.startIndex));
}

function sendUser(
  reply: FastifyReply,
  request: FastifyRequest,
  status: number,
  user: ScimUser,
): FastifyReply {
  const query = request.query as Query;
  const projection = readProjection(query.attributes, query.excludedAttributes);
  void reply.header('etag', versionOfUser(user));
  return sendScim(reply, status, projectResource(user.resource, projection));
}

function listQueryOf(source: Record<string, unknown>): UserListQuery {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return {
    filter: text(source.filter)?.trim() === '' ? undefined : text(source.filter),
    sortBy: text(source.sortBy),
    sortOrder: text(source.sortOrder),
    paging: readPaging(source.startIndex, source.count),
  };
}

function searchBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (!isObject(body))
    throw new ScimError('UP_SCIM_INVALID_SYNTAX', 'The SearchRequest body must be a JSON object.');
  return body;
}

/** Joins a SearchRequest's attribute list (an array, or a comma-separated string) for readProjection. */
function joined(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join(',');
  return typeof value === 'string' ? value : undefined;
}

function idOf(request: FastifyRequest): string {
  return (request.params as { id: string }).id;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
