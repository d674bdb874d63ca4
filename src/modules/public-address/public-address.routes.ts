import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { actorOf } from '../auth/auth.guard.js';
import { renderRefused } from '../settings/settings.routes.js';
import { createPublicAddressSaver } from './public-address.service.js';

/** POST /admin/settings/address: the settings page's "Public address" section (Post/Redirect/Get). */
export async function publicAddressRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { deps } = opts;
  const save = createPublicAddressSaver({ config: deps.config, settings: deps.services.settings, audit: deps.services.audit });

  app.post<{ Body: { publicAddress?: unknown } | undefined }>('/admin/settings/address', async (request, reply) => {
    const typed = typeof request.body?.publicAddress === 'string' ? request.body.publicAddress.slice(0, 2000) : '';
    try {
      const { changed, address } = await save(typed, actorOf(request));
      const message = !changed ? 'Nothing changed in Public address.' : address ? `Public address saved: invite links now start with ${address}.` : 'Public address cleared: invite links use the address Helpr works out.';
      request.session.flash = { message, tone: changed ? 'success' : 'info', section: 'address' };
      return reply.redirect('/admin/settings#address', 303);
    } catch (error) {
      return renderRefused(reply, deps, error, { section: 'address', values: { publicAddress: typed } });
    }
  });
}
