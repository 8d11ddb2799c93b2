import type { AttributeDefinition } from './schema/attributes.ts';
import { maxResults } from './users/list-query.ts';
import {
  coreUserAttributes,
  coreUserSchemaId,
  enterpriseUserAttributes,
  enterpriseUserSchemaId,
} from './schema/user-schema.ts';

export const listResponseSchema = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const serviceProviderConfigSchema = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const resourceTypeSchema = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const schemaSchema = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The ServiceProviderConfig resource (RFC 7643 section 5). `base` is the URL of /scim/v2. */
export function serviceProviderConfig(base: string): Record<string, unknown> {
  return {
    schemas: [serviceProviderConfigSchema],
    documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults },
    // Password changes through PUT and PATCH of `password` are supported, for users that are
    // not synchronized from the local AD.
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'Bearer token',
        description:
          'A per-tenant token from `userpilot scim token create` or the control panel, sent as "Authorization: Bearer TOKEN". Groups, Bulk and /Me are not supported.',
        primary: true,
      },
    ],
    meta: {
      resourceType: 'ServiceProviderConfig',
      location: `${base}/ServiceProviderConfig`,
    },
  };
}

/** The User resource type; it is the only one, because UserPilot provisions no Groups. */
export function userResourceType(base: string): Record<string, unknown> {
  return {
    schemas: [resourceTypeSchema],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A mailbox of the tenant. Groups are not supported.',
    schema: coreUserSchemaId,
    schemaExtensions: [{ schema: enterpriseUserSchemaId, required: false }],
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  };
}

/** The Schema resources of the core User schema and the enterprise extension, as stored. */
export function schemaResources(base: string): Record<string, unknown>[] {
  return [
    schemaResource(
      base,
      coreUserSchemaId,
      'User',
      'User account: a mailbox of the tenant',
      coreUserAttributes,
    ),
    schemaResource(
      base,
      enterpriseUserSchemaId,
      'EnterpriseUser',
      'Enterprise user',
      enterpriseUserAttributes,
    ),
  ];
}

function schemaResource(
  base: string,
  id: string,
  name: string,
  description: string,
  attributes: readonly AttributeDefinition[],
): Record<string, unknown> {
  return {
    schemas: [schemaSchema],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  };
}

/** Wraps resources in a ListResponse (RFC 7644 section 3.4.2). */
export function listResponse(
  resources: unknown[],
  totalResults: number,
  startIndex: number,
): Record<string, unknown> {
  return {
    schemas: [listResponseSchema],
    totalResults,
    itemsPerPage: resources.length,
    startIndex,
    Resources: resources,
  };
}
