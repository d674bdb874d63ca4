import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { actorOf, safeNext, startAdminSession } from './auth.guard.js';
import { deviceOf, rememberDevice } from './device-cookie.js';

interface LoginBody {
  username?: string;
  password?: string;
  next?: unknown;
}

/** Sign-in page and form (outside the guarded admin context). */
export async function loginRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, clock } = opts.deps;

  app.get<{ Querystring: { next?: unknown; signedOut?: unknown } }>('/admin/login', async (request, reply) => {
    if (!(await services.admins.hasAdmin())) return reply.redirect('/setup', 303);
    if (request.session.adminId) return reply.redirect(safeNext(request.query.next), 303);
    // Right after "Sign out" the page says so (the session, and any flash with it, is gone by then).
    const signedOut = request.query.signedOut === '1';
    return reply.page('pages/admin/login', { title: 'Sign in', values: { next: safeNext(request.query.next) }, errors: {}, signedOut });
  });

  app.post<{ Body: LoginBody }>('/admin/login', async (request, reply) => {
    const values = { username: String(request.body?.username ?? '').slice(0, 200), next: safeNext(request.body?.next) };
    try {
      // Stryker disable next-line StringLiteral: a missing password is as wrong as any other text in its place
      const password = String(request.body?.password ?? '');
      const { admin, device } = await services.auth.login({ username: values.username, password, ip: request.ip, device: deviceOf(request) });
      await startAdminSession(request, admin, clock.now().getTime());
      rememberDevice(request, reply, device, opts.deps.config.basePath);
      return reply.redirect(values.next, 303);
    } catch (error) {
      if (isAppError(error) && error.fields) {
        return reply.code(error.status).page('pages/admin/login', { title: 'Sign in', values, errors: error.fields });
      }
      throw error;
    }
  });
}

/** Sign-out (inside the guarded admin context: it needs a session and a CSRF token). */
export async function logoutRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  app.post('/admin/logout', async (request, reply) => {
    await opts.deps.services.audit.record(actorOf(request), 'logout');
    await request.session.destroy();
    return reply.redirect('/admin/login?signedOut=1', 303);
  });
}
