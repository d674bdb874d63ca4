import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { renderMarkdown } from '../../markdown.js';
import { showRequestPage } from './request-form.js';
import { accessNote, requestPageKey, requestPageModel } from './request-page.js';

interface RequestForm {
  email?: string;
  code?: string;
  rulesAccepted?: string;
}

// An unticked checkbox sends nothing; a ticked one sends "on" (or its value).
const ticked = (value: unknown): boolean => value !== undefined && value !== '';

/**
 * The friend-facing pages: the request form (/ and /join/CODE), its submission (Post/Redirect/Get)
 * and the result page under an unguessable id. Continue with Plex has its own routes
 * (join-with-plex.routes.ts).
 */
export async function publicRoutes(app: FastifyInstance, opts: { services: Deps['services']; clock: Deps['clock'] }) {
  const { services, clock } = opts;

  app.get('/', async (_request, reply) => showRequestPage(reply, services, { values: {} }));

  app.get<{ Params: { code: string } }>('/join/:code', async (request, reply) => {
    if (!(await services.setup.isReady())) return showRequestPage(reply, services, { values: {} });
    try {
      const code = await services.codes.checkCode(request.params.code);
      return await showRequestPage(reply, services, { values: { code: code.code } });
    } catch (error) {
      if (!isAppError(error) || !error.code.startsWith('invite.code_')) throw error;
      const settings = await services.settings.get();
      return reply.code(error.status).page('pages/public/code-problem', { title: 'This invite link does not work', siteTitle: settings.siteTitle, message: error.message });
    }
  });

  app.post<{ Body: RequestForm }>('/', async (request: FastifyRequest<{ Body: RequestForm }>, reply) => {
    if (!(await services.setup.isReady())) return showRequestPage(reply, services, { values: {} });
    const values = { email: String(request.body?.email ?? '').slice(0, 300), code: String(request.body?.code ?? '').slice(0, 100), rulesAccepted: ticked(request.body?.rulesAccepted) };
    await services.inviteLimits.countRequest(request.ip);
    try {
      // The way and the house rules first; the acceptance is added to the request once it is saved.
      const { recordRules } = await services.joinChecks.beforeEmailJoin(values.rulesAccepted);
      const { invitation } = await services.invitations.submit({ email: values.email, code: values.code, clientIp: request.ip, userAgent: request.headers['user-agent'] });
      if (recordRules) await services.joinChecks.recordRulesAccepted(invitation.id);
      return reply.redirect(`/requests/${invitation.id}`, 303);
    } catch (error) {
      if (isAppError(error) && error.fields) return showRequestPage(reply, services, { values, errors: error.fields, status: error.status });
      throw error;
    }
  });

  app.get<{ Params: { id: string } }>('/requests/:id', async (request, reply) => {
    const invitation = await services.invitations.find(request.params.id);
    const settings = await services.settings.get();
    reply.header('cache-control', 'no-store');
    const joinedWithPlex = invitation.joined_with === 'plex';
    const model = requestPageModel(invitation, { guideHtml: joinedWithPlex && invitation.status === 'accepted' ? renderMarkdown(settings.guide) : undefined });
    const person = await services.users.byInvitation(invitation.id);
    model.access = accessNote(invitation, person ? person.expiresAt : undefined, { timeZone: settings.timeZone, now: clock.now() });
    // A page still waiting (for Plex or for the owner) looks again by itself (request-status.js).
    const scripts = model.refresh ? ['/static/js/request-status.js'] : undefined;
    return reply.page('pages/public/request-status', {
      siteTitle: settings.siteTitle,
      ...model,
      scripts,
      statusUrl: `/requests/${invitation.id}/status`,
      retryUrl: `/requests/${invitation.id}/retry`,
    });
  });

  // What request-status.js polls: only the status (and the page key where it says more), which
  // the page behind the same link shows anyway.
  app.get<{ Params: { id: string } }>('/requests/:id/status', async (request, reply) => {
    const invitation = await services.invitations.find(request.params.id);
    const page = requestPageKey(invitation);
    return reply.header('cache-control', 'no-store').send({ status: invitation.status, ...(page !== invitation.status ? { page } : {}) });
  });
}
