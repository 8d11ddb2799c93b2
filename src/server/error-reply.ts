import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, isUserPilotError, type ErrorCode } from '../protocol/errors.ts';
import type { ErrorBody } from '../protocol/error-body.ts';

/** One failure as the agent API sends it: the registry's status and the error body. */
export interface ErrorReply {
  status: number;
  body: ErrorBody;
}

interface ValidationIssue {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Codes for the failures that fastify itself raises before a handler runs. */
export interface FrameworkErrorCodes {
  invalidBody: ErrorCode;
  malformedJson: ErrorCode;
  unsupportedMediaType: ErrorCode;
  bodyTooLarge: ErrorCode;
  internal: ErrorCode;
}

export const agentErrorCodes: FrameworkErrorCodes = {
  invalidBody: 'UP_AGENT_API_INVALID_BODY',
  malformedJson: 'UP_AGENT_API_MALFORMED_JSON',
  unsupportedMediaType: 'UP_AGENT_API_UNSUPPORTED_MEDIA_TYPE',
  bodyTooLarge: 'UP_AGENT_API_BODY_TOO_LARGE',
  internal: 'UP_AGENT_API_INTERNAL',
};

export const serverErrorCodes: FrameworkErrorCodes = {
  ...agentErrorCodes,
  internal: 'UP_SERVER_INTERNAL',
};

export function errorReply(
  code: ErrorCode,
  message: string,
  extra: { hint?: string | undefined; details?: Record<string, unknown> } = {},
): ErrorReply {
  const error: ErrorBody['error'] = { code, message };
  if (extra.hint !== undefined) error.hint = extra.hint;
  if (extra.details !== undefined && Object.keys(extra.details).length > 0) {
    error.details = extra.details;
  }
  return { status: errorCodes[code].status, body: { error } };
}

/**
 * Turns any error a route or fastify raised into the error body. Unknown errors become the
 * internal code with a generic message, so no stack trace or SQL text reaches the client.
 */
export function toErrorReply(error: unknown, codes: FrameworkErrorCodes): ErrorReply {
  if (isUserPilotError(error)) {
    return errorReply(error.code, error.message, {
      hint: error.hint,
      details: { ...error.details },
    });
  }
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) {
    return validationReply(
      fastifyError.validation,
      fastifyError.validationContext ?? 'body',
      codes,
    );
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorReply(codes.malformedJson, 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorReply(codes.unsupportedMediaType, 'The request body must be application/json.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorReply(codes.malformedJson, 'The request body does not match its Content-Length.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return errorReply(codes.invalidBody, 'A path parameter of the URL is too long.', {
        hint: 'Pass the id exactly as the service returned it.',
      });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorReply(codes.bodyTooLarge, 'The request body exceeds the size limit.', {
        hint: 'Send fewer records or manifest anchors per batch.',
      });
    default:
      // Other request errors fastify raises (a malformed URL, for one) are the client's fault.
      if (fastifyError.statusCode === 400) {
        return errorReply(codes.invalidBody, `Invalid request: ${fastifyError.message ?? ''}`);
      }
      return errorReply(codes.internal, 'The service failed while handling the request.', {
        hint: 'Retry later; the service log has the cause under the request id.',
      });
  }
}

/** Names the JSON pointer of the first bad field, so the sender can find it in its request. */
function validationReply(
  issues: ValidationIssue[],
  context: string,
  codes: FrameworkErrorCodes,
): ErrorReply {
  const issue = issues[0];
  const path = issue === undefined ? '' : issuePath(issue);
  const what = issueProblem(issue);
  const where = path === '' ? context : `${context} field ${path}`;
  return errorReply(codes.invalidBody, `Invalid request: ${where} ${what}.`, {
    details: { location: context, path, keyword: issue?.keyword ?? null },
  });
}

function issueProblem(issue: ValidationIssue | undefined): string {
  if (issue?.keyword === 'required') return 'is missing';
  if (issue?.keyword === 'additionalProperties') return 'is not allowed';
  return issue?.message ?? 'is invalid';
}

function issuePath(issue: ValidationIssue): string {
  const child = issue.params.missingProperty ?? issue.params.additionalProperty;
  return typeof child === 'string' ? `${issue.instancePath}/${child}` : issue.instancePath;
}

/** A fastify error handler that sends the error body and logs 5xx failures with their cause. */
export function errorHandler(codes: FrameworkErrorCodes) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const { status, body } = toErrorReply(error, codes);
    request.errorCode = body.error.code;
    if (status >= 500) request.log.error({ err: error, code: body.error.code }, 'request failed');
    void reply.code(status).send(body);
  };
}
