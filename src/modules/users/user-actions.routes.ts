import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { act as actAndGoBack } from '../invitations/admin-invitations.routes.js';
import { localInputValue } from '../../time-format.js';
import { localToUtc, UTC } from '../../time-zone.js';
import { actorOf } from '../auth/auth.guard.js';
import { actionOutcomeMessage, bulkOutcomeMessage } from './users.messages.js';
import { userDetailData } from './users.page.js';

type Form = Record<string, string | string[] | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Body: Form | undefined }>;

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const text = (value: string | string[] | undefined): string => (typeof value === 'string' ? value.trim() : '');
const userPage = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

/** Where a bulk form goes back to: the list it came from, never elsewhere. */
const safeListBack = (value: string): string => (/^\/admin\/users(\?[^\s\\]*)?$/.test(value) && value.length <= 500 ? value : '/admin/users');

/** Runs an action and goes back with its outcome; refusals the owner can act on (and a person gone meanwhile) are shown as a message. */
const act = (request: FastifyRequest, reply: FastifyReply, back: string, action: () => Promise<NonNullable<FastifyRequest['session']['flash']>>) =>
  actAndGoBack(request, reply, back, action, [400, 404, 409]);

/** The end of access typed in the owner's zone (datetime-local), or cleared. */
function expiryFromForm(body: Form | undefined, zone: string): string | null {
  if (text(body?.clear) !== '') return null;
  const typed = text(body?.expiresAt);
  const instant = typed ? localToUtc(typed, zone) : undefined;
  if (!instant) throw new AppError('user.invalid_expiry', 'Type the date and time their access ends, like 2026-12-24 18:00, or press Never ends.', { fields: { expiresAt: 'A date and time.' } });
  return instant.toISOString();
}

/** /admin/users/:id: one person, and what the owner can change about their access. */
export async function userActionsRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const actions = opts.deps.services.userActions;
  const users = opts.deps.services.users;

  app.get<{ Params: { id: string } }>('/admin/users/:id', async (request, reply) => {
    const detail = await actions.get(request.params.id);
    const [titles, servers] = await Promise.all([users.libraryTitles(), users.serverLibraries()]);
    const zone = request.ownerTimeZone ?? UTC;
    return reply.page('pages/admin/user', { ...userDetailData(detail, titles, servers, request.ownerTimeZone), expiresInput: detail.user.expiresAt ? localInputValue(detail.user.expiresAt, zone) : '' });
  });

  app.post('/admin/users/:id/remove', async (request: IdRequest, reply) =>
    act(request, reply, userPage(request.params.id), async () => actionOutcomeMessage(await actions.remove(request.params.id, actorOf(request)))),
  );
  app.post('/admin/users/:id/resend', async (request: IdRequest, reply) =>
    act(request, reply, userPage(request.params.id), async () => actionOutcomeMessage(await actions.resend(request.params.id, actorOf(request)))),
  );
  app.post('/admin/users/:id/restore', async (request: IdRequest, reply) =>
    act(request, reply, userPage(request.params.id), async () => actionOutcomeMessage(await actions.restore(request.params.id, actorOf(request)))),
  );
  app.post('/admin/users/:id/libraries', async (request: IdRequest, reply) =>
    act(request, reply, userPage(request.params.id), async () => actionOutcomeMessage(await actions.setLibraries(request.params.id, list(request.body?.libraries), actorOf(request)))),
  );
  app.post('/admin/users/:id/expiry', async (request: IdRequest, reply) =>
    act(request, reply, userPage(request.params.id), async () => {
      const user = await actions.setExpiry(request.params.id, expiryFromForm(request.body, request.ownerTimeZone ?? UTC), actorOf(request));
      return { message: user.expiresAt ? `${user.name}'s access now ends at the date shown below; Helpr removes it then.` : `${user.name}'s access no longer ends.`, tone: 'success' };
    }),
  );

  app.post<{ Body: Form | undefined }>('/admin/users/bulk', async (request, reply) =>
    act(request, reply, safeListBack(text(request.body?.back)), async () => {
      const ids = list(request.body?.ids).slice(0, 500);
      if (ids.length === 0) return { message: 'Tick the people to change first.', tone: 'warning' };
      const op = text(request.body?.op);
      if (op === 'remove') return bulkOutcomeMessage('remove', await actions.bulkRemove(ids, actorOf(request)));
      if (op === 'extend') return bulkOutcomeMessage('extend', await actions.bulkExtend(ids, Number(text(request.body?.days) || 'NaN'), actorOf(request)));
      return { message: 'Choose what to do with the people ticked.', tone: 'warning' };
    }),
  );
}
