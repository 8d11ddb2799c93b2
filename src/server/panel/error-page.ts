import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isUserPilotError, type UserPilotError } from '../../protocol/errors.ts';
import type { PanelContext } from './context.ts';
import { html } from './html.ts';
import { panelUrl, renderPage, type Flash } from './layout.ts';

/** Turns a rejection's message and hint into a flash for the page that shows it. */
export function flashOfError(error: UserPilotError): Flash {
  return {
    kind: 'error',
    text: html`${error.message}${error.hint === undefined ? '' : ` ${error.hint}`}`,
  };
}

function sendErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  flash: Flash,
): FastifyReply {
  const viewer = request.panelAuth?.viewer;
  const body = html`<p><a href="${panelUrl('/')}">Back to the panel</a></p>`;
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(renderPage({ title, flash, body, ...(viewer === undefined ? {} : { viewer }) }));
}

/**
 * Renders failures as HTML pages. A GET without a session is redirected to the sign-in page.
 * Rejections by the domain rules show their message and hint. Anything else is logged and shown
 * without its cause.
 */
export function handlePanelError(context: PanelContext) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    if (isUserPilotError(error, 'UP_PANEL_SESSION_REQUIRED') && request.method === 'GET') {
      return reply.redirect(panelUrl('/sign-in'), 303);
    }
    if (isUserPilotError(error)) {
      // The server's request log writes one line per request with this code; 5xx also get
      // their cause here.
      request.errorCode = error.code;
      if (error.status >= 500)
        context.log.error({ code: error.code, err: error }, 'panel request failed');
      return sendErrorPage(request, reply, error.status, 'Request rejected', flashOfError(error));
    }
    const status = (error as Partial<FastifyError>).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      request.errorCode = 'UP_PANEL_FORM_INVALID';
      const flash = {
        kind: 'error',
        text: 'The request is invalid. Reload the page and try again.',
      } as const;
      return sendErrorPage(request, reply, status, 'Request rejected', flash);
    }
    request.errorCode = 'UP_PANEL_INTERNAL';
    context.log.error({ code: 'UP_PANEL_INTERNAL', err: error }, 'panel request failed');
    const flash = {
      kind: 'error',
      text: 'The panel failed while handling the request. Retry later; the service log has the cause.',
    } as const;
    return sendErrorPage(request, reply, 500, 'Something went wrong', flash);
  };
}

export function handlePanelNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const flash = { kind: 'error', text: 'No panel page has this address.' } as const;
  return sendErrorPage(request, reply, 404, 'Not found', flash);
}
