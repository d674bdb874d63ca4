import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { pageFromQuery } from '../../paging.js';
import { actorOf } from '../auth/auth.guard.js';
import { UTC } from '../../time-zone.js';
import { codeFormValues, codeInputFromForm, EMPTY_CODE_FORM } from './invite-codes.form.js';
import { currentLinkBase, withLink } from './invite-codes.links.js';
import { codeDetailModel, codesPageModel } from './invite-codes.page.js';
import { qrSvg } from './qr.js';

interface ListQuery {
  page?: unknown;
  created?: unknown;
}

/** /admin/codes: create, list, show (link and QR code) and revoke invite codes. */
export async function codesAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const { services, config, clock } = opts.deps;

  app.get<{ Querystring: ListQuery }>('/admin/codes', async (request, reply) => {
    const model = await codesPageModel(services, {
      base: await currentLinkBase(request, config, services.settings),
      page: pageFromQuery(request.query.page),
      values: EMPTY_CODE_FORM,
      createdId: typeof request.query.created === 'string' ? request.query.created : undefined,
    });
    return reply.page('pages/admin/codes', model);
  });

  app.post('/admin/codes', async (request, reply) => {
    const values = codeFormValues(request.body);
    try {
      const input = codeInputFromForm(values, { timeZone: request.ownerTimeZone ?? UTC, now: clock.now() });
      const code = await services.codeAdmin.create(input, actorOf(request));
      return reply.redirect(`/admin/codes?created=${encodeURIComponent(code.id)}`, 303);
    } catch (error) {
      if (!isAppError(error) || !error.fields) throw error;
      const model = await codesPageModel(services, { base: await currentLinkBase(request, config, services.settings), page: 1, values, errors: error.fields });
      return reply.code(error.status).page('pages/admin/codes', model);
    }
  });

  app.get<{ Params: { id: string } }>('/admin/codes/:id', async (request, reply) => {
    return reply.page('pages/admin/codes-detail', await codeDetailModel(services, request.params.id, await currentLinkBase(request, config, services.settings)));
  });

  app.get<{ Params: { id: string } }>('/admin/codes/:id/qr.svg', async (request, reply) => {
    const code = withLink(await services.codes.getCode(request.params.id), (await currentLinkBase(request, config, services.settings)).url);
    return reply.type('image/svg+xml').header('cache-control', 'private, no-store').send(await qrSvg(code.link));
  });

  app.post<{ Params: { id: string } }>('/admin/codes/:id/revoke', async (request, reply) => {
    const code = await services.codeAdmin.revoke(request.params.id, actorOf(request));
    request.session.flash = { message: `Invite code ${code.code} revoked: its link no longer works.`, tone: 'success' };
    return reply.redirect('/admin/codes', 303);
  });
}
