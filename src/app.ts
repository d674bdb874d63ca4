import swagger from '@fastify/swagger';
import fp from 'fastify-plugin';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TrustProxy } from './config.js';
import { httpTimeoutOptions } from './http-timeouts.js';
import { APP_VERSION } from './paths.js';
import { stripBasePath, withBase } from './base-path.js';
import type { Deps } from './deps.js';
import { dashboardRoutes } from './modules/dashboard/dashboard.routes.js';
import { statsApiRoutes } from './modules/dashboard/stats.api.js';
import { joinModeApiRoutes } from './modules/settings/join-mode.api.js';
import { healthRoutes } from './modules/health/health.routes.js';
import { metricsRoutes } from './modules/metrics/metrics.routes.js';
import { invitationsApiRoutes } from './modules/invitations/admin-invitations.api.js';
import { adminInvitationsRoutes } from './modules/invitations/admin-invitations.routes.js';
import { createHealthService } from './modules/health/health.service.js';
import { readinessChecks } from './modules/health/readiness-checks.js';
import { apiDocsRoutes } from './modules/api-docs/api-docs.routes.js';
import { requireAdmin, requireApiKey } from './modules/auth/auth.guard.js';
import { loginRoutes, logoutRoutes } from './modules/auth/auth.routes.js';
import { apiKeysRoutes } from './modules/api-keys/api-keys.routes.js';
import { adminsRoutes } from './modules/admins/admins.routes.js';
import { adminJoinRoutes } from './modules/admins/admin-join.routes.js';
import { sessionsRoutes } from './modules/sessions/sessions.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { settingsRoutes } from './modules/settings/settings.routes.js';
import { publicAddressRoutes } from './modules/public-address/public-address.routes.js';
import { publicRoutes } from './modules/public/public.routes.js';
import { joinWithPlexRoutes } from './modules/join-with-plex/join-with-plex.routes.js';
import { plexApiRoutes } from './modules/plex/plex.api.js';
import { plexAdminRoutes } from './modules/plex/plex.routes.js';
import { plexTokenBanner } from './modules/plex/token-banner.js';
import { ownerTimeZone } from './modules/settings/owner-time-zone.js';
import { setupAdminRoutes, setupRoutes } from './modules/setup/setup.routes.js';
import { codesAdminRoutes } from './modules/invite-codes/invite-codes.routes.js';
import { codesApiRoutes } from './modules/invite-codes/invite-codes.api.js';
import { librariesAdminRoutes } from './modules/libraries/libraries.routes.js';
import { librariesApiRoutes } from './modules/libraries/libraries.api.js';
import { usersAdminRoutes } from './modules/users/users.routes.js';
import { notificationsAdminRoutes } from './modules/notifications/notifications.routes.js';
import { userActionsRoutes } from './modules/users/user-actions.routes.js';
import { userActionsApiRoutes, usersApiRoutes } from './modules/users/users.api.js';
import { notificationsApiRoutes } from './modules/notifications/notifications.api.js';
import { requireCsrf, csrfPlugin } from './plugins/csrf.js';
import { errorsPlugin, routerErrorHandler } from './plugins/errors.js';
import { overloadPlugin, type OverloadOptions } from './plugins/overload.js';
import { formsPlugin } from './plugins/forms.js';
import { nulGuardPlugin } from './plugins/nul-guard.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { noStore, securityHeaders, securityPlugin } from './plugins/security.js';
import { cookiesPlugin, sessionPlugin } from './plugins/session.js';
import { staticPlugin } from './plugins/static.js';
import { viewsPlugin } from './plugins/views.js';

/**
 * TRUST_PROXY for Fastify. A hop count trusts that many proxies in front, whoever they are (Fastify
 * itself refuses bare hop counts, so it gets the function); an address list trusts only those.
 */
function trustProxyOption(trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

declare module 'fastify' {
  interface FastifyInstance {
    registeredRoutes: Array<{ method: string; url: string }>;
  }
}

export interface AppOptions {
  reloadTemplates?: boolean;
  overload?: OverloadOptions;
}

/** The web app: cross-cutting plugins in the order they apply, then each module's routes. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const base = deps.config.basePath;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: trustProxyOption(deps.config.trustProxy),
    bodyLimit: 64 * 1024,
    ...httpTimeoutOptions(deps.config),
    return503OnClosing: true,
    // Fastify's two lines per request at info cost a third of the public page's throughput; see below.
    logController: new LogController({ disableRequestLogging: true }),
    // OpenAPI annotations in route schemas are documentation, not validation rules.
    ajv: { customOptions: { keywords: ['example'] } },
    // A badly encoded address or an over-long path parameter: Helpr's own error page, with its headers.
    frameworkErrors: routerErrorHandler(() => app, securityHeaders()),
    // Under BASE_PATH, routes see paths without it, whether the proxy stripped it or not (base-path.ts).
    ...(base === '' ? {} : { rewriteUrl: (req: { url?: string }) => stripBasePath(base, req.url ?? '/') }),
  });
  if (base !== '') {
    // Routes redirect to their own paths, as they are routed; the browser needs the prefix.
    app.addHook('onSend', async (_request, reply, payload) => {
      const location = reply.getHeader('location');
      if (typeof location === 'string') reply.header('location', withBase(base, location));
      return payload;
    });
  }

  // Every route, as registered: tests walk it to prove each admin and API route is guarded.
  const routes: Array<{ method: string; url: string }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.decorate('registeredRoutes', routes);

  // One line per finished request, at debug: the reverse proxy keeps the access log, and at info
  // Helpr logs what happened (requests for invites, sign-ins, failures). Errors are logged by the
  // error handler whatever the level.
  if (deps.logger.isLevelEnabled('debug')) {
    app.addHook('onResponse', (request, reply, done) => {
      // `req` goes through the logger's serializer, which hides tokens in the query string.
      request.log.debug({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
      done();
    });
  }

  await app.register(overloadPlugin, { maxEventLoopDelayMs: deps.config.maxEventLoopDelayMs, ...options.overload });
  await app.register(securityPlugin);
  await app.register(formsPlugin);
  await app.register(nulGuardPlugin);
  await app.register(cookiesPlugin, { secretKey: deps.secretKey });
  await app.register(csrfPlugin, { cookiePath: base });
  await app.register(rateLimitPlugin, { counters: deps.counters });
  await app.register(viewsPlugin, { reloadTemplates: options.reloadTemplates, basePath: base });
  await app.register(staticPlugin);
  await app.register(errorsPlugin, { siteTitle: async () => (await deps.services.settings.get()).siteTitle });

  const health = createHealthService(readinessChecks(deps));
  await app.register(healthRoutes, { health });
  if (deps.metrics && deps.config.metricsToken) await app.register(fp(metricsRoutes), { metrics: deps.metrics, token: deps.config.metricsToken });

  // Public pages: no session at all; every state-changing request must carry a CSRF token.
  await app.register(async (pages) => {
    pages.addHook('preHandler', requireCsrf);
    await pages.register(publicRoutes, { services: deps.services, clock: deps.clock });
    await pages.register(joinWithPlexRoutes, { deps });
    await pages.register(apiDocsRoutes);
  });

  // Signing in and signed in: server-side sessions, only here.
  await app.register(async (signedIn) => {
    // Sign-in, setup and admin pages show emails, addresses, codes and keys: never cached.
    signedIn.addHook('onRequest', noStore);
    await signedIn.register(sessionPlugin, { secretKey: deps.secretKey, sessions: deps.repositories.sessions, clock: deps.clock, cookiePath: base });

    await signedIn.register(async (pages) => {
      pages.addHook('preHandler', requireCsrf);
      await pages.register(loginRoutes, { deps });
      await pages.register(adminJoinRoutes, { deps });
      await pages.register(setupRoutes, { deps });
    });

    // The admin area: ONE guard for every route registered in this context (before the body is
    // even parsed or validated), then CSRF.
    await signedIn.register(async (admin) => {
      admin.addHook('onRequest', requireAdmin({ admins: deps.repositories.admins, clock: deps.clock }));
      admin.addHook('preHandler', requireCsrf);
      await admin.register(plexTokenBanner, { refusals: deps.services.tokenRefusals });
      await admin.register(ownerTimeZone, { settings: deps.services.settings });
      await admin.register(logoutRoutes, { deps });
      await admin.register(setupAdminRoutes, { deps });
      await admin.register(plexAdminRoutes, { deps });
      await admin.register(adminInvitationsRoutes, { deps });
      await admin.register(usersAdminRoutes, { deps });
      await admin.register(notificationsAdminRoutes, { deps });
      await admin.register(userActionsRoutes, { deps });
      await admin.register(codesAdminRoutes, { deps });
      await admin.register(librariesAdminRoutes, { deps });
      await admin.register(settingsRoutes, { deps });
      await admin.register(publicAddressRoutes, { deps });
      await admin.register(apiKeysRoutes, { deps });
      await admin.register(adminsRoutes, { deps });
      await admin.register(sessionsRoutes, { deps });
      await admin.register(auditRoutes, { deps });
      await admin.register(dashboardRoutes, { deps });
    });
  });

  // OpenAPI from the API routes' own schemas (only routes with tags are documented).
  await app.register(swagger, {
    openapi: {
      info: { title: 'Helpr API', version: APP_VERSION, description: 'Manage invitations, invite codes and libraries. Send an API key as `Authorization: Bearer <key>`.' },
      servers: [{ url: base || '/' }],
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    hideUntagged: true,
  });
  app.get('/api/openapi.json', async () => app.swagger());

  // The JSON API: ONE guard (an API key) for every route in this context, before validation, so an
  // anonymous caller learns nothing from 400s; no cookies, so no CSRF.
  await app.register(
    async (api) => {
      // Answers carry emails and addresses: never cached.
      api.addHook('onRequest', noStore);
      api.addHook('onRequest', requireApiKey({ apiKeys: deps.services.apiKeys }));
      // [api modules]
      await api.register(plexApiRoutes, { deps });
      await api.register(invitationsApiRoutes, { deps });
      await api.register(usersApiRoutes, { deps });
      await api.register(userActionsApiRoutes, { deps });
      await api.register(codesApiRoutes, { deps });
      await api.register(librariesApiRoutes, { deps });
      await api.register(statsApiRoutes, { deps });
      await api.register(joinModeApiRoutes, { deps });
      await api.register(notificationsApiRoutes, { deps });
    },
    { prefix: '/api/v1' },
  );

  return app;
}
