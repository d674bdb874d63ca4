import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { actorOf } from '../auth/auth.guard.js';
import { renderRefused } from '../settings/settings.routes.js';

/** API keys, managed from the settings page. */
export async function apiKeysRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;

  // The key is shown in this response and nowhere else: not stored in plain text, not put in the
  // session for a redirect, and not kept by the browser's cache.
  app.post<{ Body: { name?: string } }>('/admin/settings/api-keys', async (request, reply) => {
    const name = String(request.body?.name ?? '').slice(0, 200);
    try {
      const { key, view } = await deps.services.apiKeys.create({ name, createdBy: request.admin!.username }, actorOf(request));
      reply.header('cache-control', 'no-store');
      return reply.page('pages/admin/api-key-created', { title: 'New API key', section: '/admin/settings', key, apiKey: view, scripts: ['/static/js/copy-link.js'] });
    } catch (error) {
      return renderRefused(reply, deps, error, { section: 'api-keys', values: { name } });
    }
  });

  app.post<{ Params: { id: string } }>('/admin/settings/api-keys/:id/revoke', async (request, reply) => {
    const revoked = await deps.services.apiKeys.revoke(request.params.id, actorOf(request));
    request.session.flash = { message: `API key "${revoked.name}" revoked. It no longer works.`, tone: 'success', section: 'api-keys' };
    return reply.redirect('/admin/settings#api-keys', 303);
  });
}
