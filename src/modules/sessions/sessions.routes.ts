import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { actorOf } from '../auth/auth.guard.js';

/** Signing one's other sessions out (Settings > Sessions); viewers may, since the sessions are their own. */
export async function sessionsRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { sessions } = opts.deps.services;

  app.post<{ Params: { ref: string } }>('/admin/sessions/:ref/revoke', async (request, reply) => {
    await sessions.revoke(request.admin!.id, request.params.ref, request.session.sessionId, actorOf(request));
    request.session.flash = { message: 'That browser is signed out.', tone: 'success', section: 'sessions' };
    return reply.redirect('/admin/settings#sessions', 303);
  });

  app.post('/admin/sessions/revoke-others', async (request, reply) => {
    const ended = await sessions.revokeOthers(request.admin!.id, request.session.sessionId, actorOf(request));
    request.session.flash = { message: ended === 1 ? 'One other browser is signed out.' : `${ended} other browsers are signed out.`, tone: 'success', section: 'sessions' };
    return reply.redirect('/admin/settings#sessions', 303);
  });
}
