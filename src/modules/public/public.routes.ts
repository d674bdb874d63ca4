import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { requestPageModel } from './request-page.js';

interface RequestForm {
  email?: string;
  code?: string;
}

/**
 * The friend-facing pages: the request form (/ and /join/CODE), its submission (Post/Redirect/Get)
 * and the result page under an unguessable id.
 */
export async function publicRoutes(app: FastifyInstance, opts: { services: Deps['services'] }) {
  const { services } = opts;

  async function showForm(reply: FastifyReply, values: RequestForm, errors: Record<string, string> = {}, status = 200) {
    if (!(await services.setup.isReady())) return reply.page('pages/home/not-set-up', { title: 'Helpr is not set up yet' });
    const settings = await services.settings.get();
    const data = { title: settings.siteTitle, siteTitle: settings.siteTitle, settings, values, errors, scripts: ['/static/js/request-submit.js'], headingIsSiteTitle: true };
    // The empty form is the busiest page: it is the same for everyone until the settings change.
    if (status === 200 && !values.email && !values.code) return reply.cachedPage(settings, 'pages/public/request', data);
    return reply.code(status).page('pages/public/request', data);
  }

  app.get('/', async (_request, reply) => showForm(reply, {}));

  app.get<{ Params: { code: string } }>('/join/:code', async (request, reply) => {
    if (!(await services.setup.isReady())) return showForm(reply, {});
    try {
      const code = await services.codes.checkCode(request.params.code);
      return await showForm(reply, { code: code.code });
    } catch (error) {
      if (!isAppError(error) || !error.code.startsWith('invite.code_')) throw error;
      const settings = await services.settings.get();
      return reply.code(error.status).page('pages/public/code-problem', { title: 'This invite link does not work', siteTitle: settings.siteTitle, message: error.message });
    }
  });

  app.post<{ Body: RequestForm }>('/', async (request: FastifyRequest<{ Body: RequestForm }>, reply) => {
    if (!(await services.setup.isReady())) return showForm(reply, {});
    const values = { email: String(request.body?.email ?? '').slice(0, 300), code: String(request.body?.code ?? '').slice(0, 100) };
    await services.inviteLimits.countRequest(request.ip);
    try {
      const { invitation } = await services.invitations.submit({ ...values, clientIp: request.ip, userAgent: request.headers['user-agent'] });
      return reply.redirect(`/requests/${invitation.id}`, 303);
    } catch (error) {
      if (isAppError(error) && error.fields) return showForm(reply, values, error.fields, error.status);
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/requests/:id', async (request, reply) => {
    const invitation = await services.invitations.find(request.params.id);
    const settings = await services.settings.get();
    reply.header('cache-control', 'no-store');
    const model = requestPageModel(invitation);
    // A page still waiting (for Plex or for the owner) looks again by itself (request-status.js).
    const scripts = model.refresh ? ['/static/js/request-status.js'] : undefined;
    return reply.page('pages/public/request-status', { siteTitle: settings.siteTitle, ...model, scripts, statusUrl: `/requests/${invitation.id}/status` });
  });

  // What request-status.js polls: only the status, which the page behind the same link shows anyway.
  app.get<{ Params: { id: string } }>('/requests/:id/status', async (request, reply) => {
    const invitation = await services.invitations.find(request.params.id);
    return reply.header('cache-control', 'no-store').send({ status: invitation.status });
  });
}
