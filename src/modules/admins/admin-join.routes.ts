import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { startAdminSession } from '../auth/auth.guard.js';
import { roleInWords } from './admin-roles.js';

interface JoinBody {
  username?: string;
  password?: string;
  repeat?: string;
}

/**
 * The page of a one-time admin link (issue 17), before anyone is signed in: the new admin picks a
 * name and password, and is signed in with them. A used, withdrawn or expired link says so (410).
 */
export async function adminJoinRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, clock } = opts.deps;
  // The link's token is in the address: never cached, never sent on as a Referer.
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
  });

  const gonePage = (reply: FastifyReply, message: string) => reply.code(410).page('pages/admin/admin-join', { title: 'Admin link', gone: message });
  /** The link's form (it checks the link first: a link gone meanwhile throws 410). */
  const formPage = async (reply: FastifyReply, token: string, status: number, values: Record<string, string>, errors: Record<string, string>) =>
    reply.code(status).page('pages/admin/admin-join', { title: 'Become an admin', invite: await services.adminInvites.check(token), token, values, errors });

  app.get<{ Params: { token: string } }>('/admin/join/:token', async (request, reply) => {
    try {
      return await formPage(reply, request.params.token, 200, {}, {});
    } catch (error) {
      if (isAppError(error) && error.status === 410) return gonePage(reply, error.message);
      throw error;
    }
  });

  app.post<{ Params: { token: string }; Body: JoinBody }>('/admin/join/:token', async (request, reply) => {
    const { token } = request.params;
    const values = { username: String(request.body?.username ?? '').slice(0, 200) };
    const password = String(request.body?.password ?? '');
    try {
      if (password !== String(request.body?.repeat ?? '')) return await formPage(reply, token, 400, values, { repeat: 'The two passwords differ.' });
      const admin = await services.adminInvites.accept(token, { username: values.username, password, ip: request.ip });
      await startAdminSession(request, admin, clock.now().getTime());
      request.session.flash = { message: `Welcome, ${admin.username}. You are ${roleInWords(admin.role)} of this Helpr.`, tone: 'success' };
      return reply.redirect('/admin', 303);
    } catch (error) {
      if (isAppError(error) && error.status === 410) return gonePage(reply, error.message);
      if (isAppError(error) && error.fields) return formPage(reply, token, error.status, values, error.fields);
      throw error;
    }
  });
}
