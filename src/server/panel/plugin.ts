/**
 * The control panel as a fastify plugin, mounted under /panel. It brings its own cookie and form
 * parsers, security headers, session hook, CSRF check and HTML error pages, so the host server
 * only registers it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { componentLogger } from '../../core/log.ts';
import { checkCsrf, loadPanelAuth } from './auth.ts';
import type { PanelContext, PanelOptions } from './context.ts';
import { handlePanelError, handlePanelNotFound } from './error-page.ts';
import { panelPrefix } from './layout.ts';
import { registerDomainRoutes } from './routes/domains.ts';
import { registerMailboxRoutes } from './routes/mailboxes.ts';
import { registerOperatorRoutes } from './routes/operator.ts';
import { registerSignInRoutes } from './routes/sign-in.ts';
import { registerUserPilotRoutes } from './routes/userpilot.ts';
import { registerUnlinkedRoutes } from './routes/unlinked.ts';
import { HostedThrottleStore } from './throttle-store.ts';

const css = readFileSync(join(import.meta.dirname, 'static', 'panel.css'), 'utf8');

const defaultSessionTtlMs = 8 * 60 * 60 * 1000;

/** POST routes that carry no session yet and check their own CSRF cookie. */
const signInRoutes = new Set([`${panelPrefix}/sign-in`, `${panelPrefix}/operator/sign-in`]);

/**
 * Headers on every panel response. The panel runs no script at all, so the policy forbids
 * scripts outright: even a value that escaped the template could not run.
 */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=31536000',
};

function isSignInPost(request: FastifyRequest): boolean {
  return signInRoutes.has(request.routeOptions.url ?? '');
}

async function registerParsers(app: FastifyInstance): Promise<void> {
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    await app.register(fastifyFormbody, { bodyLimit: 256 * 1024 });
  }
}

async function panelRoutes(app: FastifyInstance, options: PanelOptions): Promise<void> {
  const context: PanelContext = {
    service: options.service,
    clock: options.clock,
    log: componentLogger(options.logger, 'panel'),
    serviceUrl: options.serviceUrl,
    certificateFingerprint: options.certificateFingerprint,
    throttle: options.throttleStore ?? new HostedThrottleStore(options.service.signInThrottle),
    sessionTtlMs: options.sessionTtlMs ?? defaultSessionTtlMs,
  };
  await registerParsers(app);

  // Panel pages are HTML forms, not API operations, so they stay out of the OpenAPI document.
  app.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, hide: true };
  });
  app.decorateRequest('panelAuth', null);
  app.addHook('onRequest', async (request, reply) => {
    void reply.headers(securityHeaders);
    await loadPanelAuth(context, request);
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'POST' && !isSignInPost(request)) await checkCsrf(request, reply);
  });
  app.setErrorHandler(handlePanelError(context));
  app.setNotFoundHandler(handlePanelNotFound);

  app.get('/static/panel.css', (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'max-age=3600').send(css),
  );
  registerSignInRoutes(app, context);
  registerDomainRoutes(app, context);
  registerMailboxRoutes(app, context);
  registerUnlinkedRoutes(app, context);
  registerUserPilotRoutes(app, context);
  registerOperatorRoutes(app, context);
}

/** Registers the control panel on `app` under /panel. */
export async function registerPanel(app: FastifyInstance, options: PanelOptions): Promise<void> {
  await app.register(panelRoutes, { ...options, prefix: panelPrefix });
}

/** Wraps the panel as an entry of `buildServer({ plugins })`. */
export function panelServerPlugin(options: PanelOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => registerPanel(app, options);
}
