import { Type, type TSchema } from 'typebox';

/**
 * OpenAPI descriptions of the SCIM routes. The SCIM plugin uses them for the document only:
 * requests are checked by the SCIM code, so every problem comes back as a SCIM error body, and
 * responses are written as plain JSON, so the extension URN keys are never dropped.
 */
export const scimTag = 'scim';

/** The security scheme the SCIM routes name in the OpenAPI document. */
export const scimSecurityScheme = 'scimBearerToken';

const open = { additionalProperties: true } as const;

const multiValue = (description: string) =>
  Type.Array(
    Type.Object(
      {
        value: Type.Optional(Type.String()),
        type: Type.Optional(Type.String()),
        primary: Type.Optional(Type.Boolean()),
      },
      open,
    ),
    { description },
  );

export const userSchema = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    id: Type.Optional(Type.String({ description: 'The mailbox id; read-only' })),
    externalId: Type.Optional(
      Type.String({ description: 'The AD objectGUID of a synchronized user' }),
    ),
    userName: Type.Optional(
      Type.String({ description: 'The UPN, an address in a registered domain' }),
    ),
    name: Type.Optional(
      Type.Object(
        {
          formatted: Type.Optional(Type.String()),
          givenName: Type.Optional(Type.String()),
          familyName: Type.Optional(Type.String()),
        },
        open,
      ),
    ),
    displayName: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    active: Type.Optional(Type.Boolean({ description: 'False disables sign-in' })),
    password: Type.Optional(Type.String({ description: 'Write-only; stored as an argon2id hash' })),
    emails: Type.Optional(multiValue('The primary email is the UPN')),
    phoneNumbers: Type.Optional(multiValue('Types work, mobile, fax and home')),
    addresses: Type.Optional(
      Type.Array(Type.Object({}, open), { description: 'The work address' }),
    ),
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': Type.Optional(
      Type.Object(
        {
          employeeNumber: Type.Optional(Type.String()),
          organization: Type.Optional(Type.String()),
          department: Type.Optional(Type.String()),
          manager: Type.Optional(Type.Object({ value: Type.Optional(Type.String()) }, open)),
        },
        open,
      ),
    ),
    meta: Type.Optional(Type.Object({}, open)),
  },
  { ...open, description: 'A SCIM User (RFC 7643 section 4.1) with the enterprise extension' },
);

export const errorSchema = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    status: Type.String({ description: 'The HTTP status code' }),
    scimType: Type.Optional(Type.String()),
    detail: Type.String({ description: 'What failed, what to do, and the UserPilot error code' }),
  },
  { description: 'A SCIM error (RFC 7644 section 3.12)' },
);

export const listSchema = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    totalResults: Type.Integer(),
    itemsPerPage: Type.Integer(),
    startIndex: Type.Integer(),
    Resources: Type.Array(Type.Object({}, open)),
  },
  { description: 'A SCIM ListResponse' },
);

export const patchSchema = Type.Object(
  {
    schemas: Type.Array(Type.String()),
    Operations: Type.Array(
      Type.Object({
        op: Type.String({ description: 'add, replace or remove, in any case' }),
        path: Type.Optional(
          Type.String({ description: 'For example emails[type eq "work"].value' }),
        ),
        value: Type.Optional(Type.Unknown()),
      }),
    ),
  },
  { description: 'A SCIM PatchOp request (RFC 7644 section 3.5.2)' },
);

const projection = {
  attributes: Type.Optional(Type.String({ description: 'Comma-separated attributes to return' })),
  excludedAttributes: Type.Optional(
    Type.String({ description: 'Comma-separated attributes to leave out' }),
  ),
};

export const listQuerySchema = Type.Object({
  filter: Type.Optional(
    Type.String({ description: 'An RFC 7644 filter, e.g. userName eq "a@example.com"' }),
  ),
  startIndex: Type.Optional(
    Type.Integer({ minimum: 1, description: '1-based index of the first result' }),
  ),
  count: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Page size, at most 500; default 100' }),
  ),
  sortBy: Type.Optional(Type.String()),
  sortOrder: Type.Optional(Type.String({ enum: ['ascending', 'descending'] })),
  ...projection,
});

export const projectionQuerySchema = Type.Object(projection);

export const searchSchema = Type.Object(
  {
    schemas: Type.Optional(Type.Array(Type.String())),
    filter: Type.Optional(Type.String()),
    startIndex: Type.Optional(Type.Integer()),
    count: Type.Optional(Type.Integer()),
    sortBy: Type.Optional(Type.String()),
    sortOrder: Type.Optional(Type.String()),
    attributes: Type.Optional(Type.Array(Type.String())),
    excludedAttributes: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'A SCIM SearchRequest (RFC 7644 section 3.4.3)' },
);

export const idParams = Type.Object({ id: Type.String({ description: 'The user id' }) });

const errorResponses = { '4xx': errorSchema, '5xx': errorSchema };

export interface ScimRouteSchemaInput {
  summary: string;
  description?: string;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  /** Successful responses by status code. */
  responses: Record<number, TSchema | { description: string }>;
}

/** Builds a SCIM route's schema for the OpenAPI document. */
export function scimRouteSchema(input: ScimRouteSchemaInput): Record<string, unknown> {
  return {
    tags: [scimTag],
    summary: input.summary,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.params === undefined ? {} : { params: input.params }),
    ...(input.querystring === undefined ? {} : { querystring: input.querystring }),
    ...(input.body === undefined ? {} : { body: input.body }),
    security: [{ [scimSecurityScheme]: [] }],
    produces: ['application/scim+json'],
    response: { ...input.responses, ...errorResponses },
  };
}
