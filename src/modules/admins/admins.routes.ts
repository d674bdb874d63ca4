import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { actorOf } from '../auth/auth.guard.js';
import { currentLinkBase } from '../invite-codes/invite-codes.links.js';
import { ADMIN_ROLES, ROLE_LABELS, roleInWords, type AdminRole } from './admin-roles.js';

interface NewAdminBody {
  username?: string;
  password?: string;
  role?: string;
}

/** The admins page (issue 17): who may sign in and with which role; owners add, change and remove. */
export async function adminsRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services } = opts.deps;

  async function render(request: FastifyRequest, reply: FastifyReply, form: { values?: Record<string, string>; errors?: Record<string, string>; createdLink?: { link: string; role: string } } = {}) {
    return reply.page('pages/admin/admins', {
      title: 'Admins',
      section: '/admin/settings',
      admins: await services.admins.list(),
      invites: await services.adminInvites.open(),
      createdLink: form.createdLink,
      scripts: ['/static/js/copy-link.js'],
      me: request.admin,
      roles: ADMIN_ROLES.map((role) => ({ role, label: ROLE_LABELS[role] })),
      values: form.values ?? { role: 'viewer' },
      errors: form.errors ?? {},
    });
  }

  app.get('/admin/admins', (request, reply) => render(request, reply));

  app.post<{ Body: NewAdminBody }>('/admin/admins', async (request, reply) => {
    const values = { username: String(request.body?.username ?? '').slice(0, 200), role: String(request.body?.role ?? '') };
    try {
      // createAdmin refuses a role that is neither owner nor viewer, naming the field.
      const admin = await services.admins.createAdmin({ username: values.username, password: String(request.body?.password ?? ''), role: values.role as AdminRole }, actorOf(request));
      request.session.flash = { message: `${admin.username} can sign in now, as ${roleInWords(admin.role)}. Give them the password you chose; they can change it in Settings.`, tone: 'success' };
      return reply.redirect('/admin/admins', 303);
    } catch (error) {
      if (!isAppError(error) || !error.fields) throw error;
      reply.code(error.status);
      return render(request, reply, { values, errors: error.fields });
    }
  });

  // The link is shown in this answer only (its token is kept as a hash), never cached.
  app.post<{ Body: { role?: string } }>('/admin/admins/invites', async (request, reply) => {
    const { token, invite } = await services.adminInvites.create(request.body?.role, actorOf(request));
    const base = (await currentLinkBase(request, opts.deps.config, services.settings)).url;
    reply.header('cache-control', 'no-store');
    return render(request, reply, { createdLink: { link: `${base}/admin/join/${token}`, role: invite.role } });
  });

  app.post<{ Params: { id: string } }>('/admin/admins/invites/:id/revoke', async (request, reply) => {
    await services.adminInvites.revoke(request.params.id, actorOf(request));
    request.session.flash = { message: 'The link is withdrawn: it no longer works.', tone: 'success' };
    return reply.redirect('/admin/admins', 303);
  });

  app.post<{ Params: { id: string }; Body: { role?: string } }>('/admin/admins/:id/role', async (request, reply) => {
    const admin = await services.admins.setRole(request.params.id, request.body?.role, actorOf(request));
    request.session.flash = { message: `${admin.username} is ${roleInWords(admin.role)} now.`, tone: 'success' };
    return reply.redirect('/admin/admins', 303);
  });

  app.post<{ Params: { id: string } }>('/admin/admins/:id/remove', async (request, reply) => {
    const admin = await services.admins.remove(request.params.id, { ...actorOf(request), adminId: request.admin!.id });
    request.session.flash = { message: `${admin.username} can no longer sign in; their sessions ended.`, tone: 'success' };
    return reply.redirect('/admin/admins', 303);
  });
}
