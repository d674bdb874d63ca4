import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { SettingsService } from './settings.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The owner's chosen IANA zone on admin pages; undefined until chosen (pages then show UTC). */
    ownerTimeZone?: string;
  }
}

/**
 * Registered in the admin context: every admin page shows and reads times in the owner's zone.
 * Settings are cached in memory (settings.service.ts), so this costs no database read per request.
 */
export const ownerTimeZone = fp(async (app: FastifyInstance, opts: { settings: Pick<SettingsService, 'get'> }) => {
  app.decorateRequest('ownerTimeZone', undefined);
  app.addHook('preHandler', async (request) => {
    request.ownerTimeZone = (await opts.settings.get()).timeZone ?? undefined;
  });
});
