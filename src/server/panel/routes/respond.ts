import type { FastifyReply, FastifyRequest } from 'fastify';
import { isUserPilotError, type UserPilotError } from '../../../protocol/errors.ts';

/** Sends a rendered page. */
export function sendPage(reply: FastifyReply, page: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page);
}

/**
 * Runs an action and returns its value, or the rejection when the domain rules raised one. A
 * rejection's code goes into the server's request log line. Any other failure is thrown on to
 * the error handler.
 */
export async function attempt<T>(
  request: FastifyRequest,
  action: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: UserPilotError }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    if (!isUserPilotError(error)) throw error;
    request.errorCode = error.code;
    return { ok: false, error };
  }
}
