import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HostedService } from '../../../hosted/index.ts';
import { ScimError } from '../errors.ts';
import { registerDiscoveryRoutes, registerUnsupportedRoutes } from './discovery.ts';
import { handleScimError } from './reply.ts';
import { registerUserRoutes } from './users.ts';

/** The path prefix of the SCIM API. */
export const scimPrefix = '/scim/v2';

export interface ScimPluginOptions {
  service: HostedService;
}

/** The endpoints of the API, to tell a wrong method (405) from an unknown path (404). */
const knownPaths = [
  /^\/Users(\/[^/]+)?$/,
  /^\/Users\/\.search$/,
  /^\/ServiceProviderConfig$/,
  /^\/ResourceTypes(\/[^/]+)?$/,
  /^\/Schemas(\/[^/]+)?$/,
];

/**
 * The SCIM 2.0 API (RFC 7643, RFC 7644) for identity providers, registered under `scimPrefix`.
 * Every request needs a SCIM bearer token of a tenant and acts on that tenant only. The plugin
 * has its own error handler, so every failure is a SCIM error body. Route schemas only describe
 * the routes for OpenAPI: the SCIM code checks requests itself and writes plain JSON.
 */
export function scimPlugin(app: FastifyInstance, options: ScimPluginOptions): Promise<void> {
  const service = options.service;
  app.decorateRequest('scimTenantId', null);
  app.decorateRequest('scimTokenId', null);
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Only JSON bodies: fastify's text/plain parser would hand a string to the routes, so every
  // other media type is rejected with 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/scim+json'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'ignore'),
  );
  app.setErrorHandler(handleScimError);
  app.setNotFoundHandler((request) => {
    throw unknownEndpoint(request);
  });
  app.addHook('onRequest', async (request) => authenticate(service, request));

  registerDiscoveryRoutes(app);
  registerUserRoutes(app, service);
  registerUnsupportedRoutes(app);
  return Promise.resolve();
}

/** Checks the bearer token and sets the request's tenant; throws a 401 SCIM error. */
async function authenticate(service: HostedService, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (match?.[1] === undefined) {
    throw new ScimError(
      'UP_SCIM_UNAUTHORIZED',
      'The request has no "Authorization: Bearer TOKEN" header.',
      {
        hint: 'Create a token with `userpilot scim token create` or in the control panel.',
      },
    );
  }
  const token = await service.scimTokens.verify(match[1]);
  if (token === null) {
    throw new ScimError('UP_SCIM_UNAUTHORIZED', 'The SCIM bearer token is unknown or revoked.', {
      hint: 'Create a new token with `userpilot scim token create` or in the control panel.',
    });
  }
  request.scimTenantId = token.tenantId;
  request.scimTokenId = token.id;
}

function unknownEndpoint(request: FastifyRequest): ScimError {
  const path = (request.url.split('?')[0] ?? '').replace(/^.*?\/scim\/v2/i, '');
  if (knownPaths.some((pattern) => pattern.test(path))) {
    return new ScimError(
      'UP_SCIM_METHOD_NOT_ALLOWED',
      `The endpoint ${path} does not accept ${request.method}.`,
    );
  }
  return new ScimError('UP_SCIM_NOT_FOUND', `No SCIM endpoint matches ${path}.`, {
    hint: 'The endpoints are /Users, /Users/.search, /ServiceProviderConfig, /ResourceTypes and /Schemas.',
  });
}

/** Registers the SCIM plugin on a server; the form `buildServer` takes in its `plugins`. */
export function scimServerPlugin(context: {
  service: HostedService;
}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    await app.register(scimPlugin, { prefix: scimPrefix, service: context.service });
  };
}
