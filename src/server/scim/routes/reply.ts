import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isUserPilotError } from '../../../protocol/errors.ts';
import { ScimError, scimErrorSchema, type ScimErrorBody } from '../errors.ts';

export const scimContentType = 'application/scim+json; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the request's SCIM bearer token; set by the SCIM authentication hook. */
    scimTenantId: string | null;
    /** The id of the SCIM token, the actor of every change the request makes. */
    scimTokenId: string | null;
  }
}

/** Sends a SCIM JSON body with the SCIM media type. */
export function sendScim(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(scimContentType).send(body);
}

/**
 * Turns any error of a SCIM route into a SCIM error body. Errors fastify raises while reading
 * the body become invalidSyntax, or 415 for a media type other than JSON. Unknown errors become
 * a 500 with a generic detail and are logged with their cause.
 */
export function handleScimError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const scimError = toScimError(error);
  const body: ScimErrorBody = scimError?.toBody() ?? {
    schemas: [scimErrorSchema],
    status: '500',
    detail:
      'The service failed while handling the request. Retry later; the service log has the cause under the request id. (UP_SERVER_INTERNAL)',
  };
  const status = Number(body.status);
  request.errorCode = scimError?.code ?? 'UP_SERVER_INTERNAL';
  if (status >= 500)
    request.log.error({ err: error, code: request.errorCode }, 'SCIM request failed');
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="UserPilot SCIM"');
  void sendScim(reply, status, body);
}

function toScimError(error: unknown): ScimError | undefined {
  if (error instanceof ScimError) return error;
  if (isUserPilotError(error) && error.status < 500) {
    // A rejection of the hosted rules that no SCIM code covers keeps its own code in the detail.
    const scimError = new ScimError(
      'UP_SCIM_INVALID_VALUE',
      `${error.message} (${error.code})`,
      error.hint === undefined ? {} : { hint: error.hint },
    );
    return scimError;
  }
  switch ((error as Partial<FastifyError>).code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ScimError('UP_SCIM_INVALID_SYNTAX', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ScimError(
        'UP_SCIM_UNSUPPORTED_MEDIA_TYPE',
        'The request body must be application/scim+json or application/json.',
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ScimError(
        'UP_SCIM_INVALID_SYNTAX',
        'The request body exceeds the size limit of 1 MiB.',
      );
    default:
      return undefined;
  }
}
