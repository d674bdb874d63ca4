import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenRefusal, TokenRefusals } from './token-refusal.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on admin pages while Plex refuses Helpr's token: the layout shows a red banner. */
    plexTokenRefused?: TokenRefusal;
  }
}

/**
 * The "Plex refused Helpr's token" banner on every admin page. Registered in the admin context
 * (after its guard): one small read per admin request, straight from the database, so the banner
 * shows the moment any instance sees the refusal. A failed read shows no banner rather than no page.
 */
export const plexTokenBanner = fp(async (app: FastifyInstance, opts: { refusals: Pick<TokenRefusals, 'current'> }) => {
  app.decorateRequest('plexTokenRefused', undefined);
  app.addHook('preHandler', async (request) => {
    request.plexTokenRefused = await opts.refusals.current().catch((error: unknown) => {
      request.log.warn({ err: error }, 'could not read whether Plex refuses the token');
      return undefined;
    });
  });
});
