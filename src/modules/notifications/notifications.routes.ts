import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { isAppError } from '../../errors.js';
import { actorOf } from '../auth/auth.guard.js';
import { act } from '../invitations/admin-invitations.routes.js';
import { isChannelType, type ChannelType } from './channels.js';
import { DIGEST_HOUR } from './digest.js';
import type { FriendEmailSettings } from './friend-emails.js';
import { CHANNEL_FIELDS, CHANNEL_LABELS, channelRows, DEFAULT_EVENTS, deliveryRows, eventChoices, friendsFormModel, friendsFromForm } from './notifications.page.js';

type Form = Record<string, string | string[] | undefined>;
type IdRequest = FastifyRequest<{ Params: { id: string }; Body: Form | undefined }>;
const HOME = '/admin/notifications';
const STATUSES = ['pending', 'held', 'delivered', 'dead'] as const;
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The channel form's fields as the service takes them: the type's own fields, as typed. */
function channelInput(type: ChannelType, body: Form | undefined) {
  const config = Object.fromEntries(CHANNEL_FIELDS[type].map((field) => [field.name, typeof body?.[field.name] === 'string' ? body[field.name] : '']));
  return { type, name: body?.name, events: list(body?.events), digest: body?.digest !== undefined && body.digest !== '', config };
}

/** /admin/notifications: the owner's channels (add, test, turn off, remove) and the latest deliveries (resend what failed). */
export async function notificationsAdminRoutes(app: FastifyInstance, opts: { deps: Deps }) {
  const notifications = opts.deps.services.notifications;
  const friendEmails = opts.deps.services.friendEmails;

  /** The page; after a refused "Emails to friends" form, with what was typed and why it was refused. */
  async function showPage(request: FastifyRequest, reply: FastifyReply, status: string | undefined, refused?: { values: FriendEmailSettings; errors: Record<string, string> }) {
    const shown = STATUSES.find((value) => value === status);
    const [channels, deliveries, stored, emailChannels, settings] = await Promise.all([
      notifications.list(),
      notifications.deliveries({ status: shown, limit: 50, offset: 0 }),
      friendEmails.get(),
      friendEmails.emailChannels(),
      opts.deps.services.settings.get(),
    ]);
    const friends = refused?.values ?? stored;
    return reply.code(refused ? 400 : 200).page('pages/admin/notifications', {
      title: 'Notifications',
      section: HOME,
      channels: channelRows(channels),
      deliveries: deliveryRows(deliveries, request.ownerTimeZone),
      status: shown,
      types: Object.entries(CHANNEL_LABELS),
      friends: friendsFormModel(friends, emailChannels, friendEmails.preview(friends, settings.siteTitle)),
      friendErrors: refused?.errors ?? {},
    });
  }

  app.get<{ Querystring: { status?: string } }>(HOME, async (request, reply) => showPage(request, reply, request.query.status));

  app.post<{ Body: Form | undefined }>(`${HOME}/friends`, async (request, reply) => {
    try {
      await friendEmails.save(request.body ?? {}, actorOf(request));
    } catch (error) {
      if (!isAppError(error) || error.status !== 400) throw error;
      return showPage(request, reply, undefined, { values: friendsFromForm(request.body ?? {}), errors: error.fields ?? {} });
    }
    request.session.flash = { message: 'Emails to friends saved.', tone: 'success' };
    return reply.redirect(`${HOME}#friends`, 303);
  });

  const showForm = (reply: FastifyReply, type: ChannelType, values: Form, errors: Record<string, string> = {}, status = 200) =>
    reply.code(status).page('pages/admin/notifications-new', {
      title: `Add ${CHANNEL_LABELS[type]} notifications`,
      section: HOME,
      type,
      typeLabel: CHANNEL_LABELS[type],
      fields: CHANNEL_FIELDS[type].map((field) => ({ ...field, value: field.type === 'password' ? '' : String(values[field.name] ?? (field.name === 'tls' ? 'starttls' : '')) })),
      name: String(values.name ?? CHANNEL_LABELS[type]),
      events: eventChoices(values.events === undefined ? DEFAULT_EVENTS : list(values.events)),
      canDigest: type !== 'webhook',
      digest: values.digest !== undefined && values.digest !== '',
      digestHour: `${String(DIGEST_HOUR).padStart(2, '0')}:00`,
      errors,
    });

  app.get<{ Querystring: { type?: string } }>(`${HOME}/new`, async (request, reply) => {
    if (!isChannelType(request.query.type)) return reply.redirect(HOME, 303);
    return showForm(reply, request.query.type, {});
  });

  app.post<{ Body: Form | undefined }>(HOME, async (request, reply) => {
    const type = request.body?.type;
    if (!isChannelType(type)) return reply.redirect(HOME, 303);
    try {
      const { channel, secret } = await notifications.create(channelInput(type, request.body), actorOf(request));
      // The webhook's signing secret, shown this once (never stored in the open, never shown again).
      if (secret) return reply.page('pages/admin/notifications-secret', { title: 'Webhook added', section: HOME, channel, secret });
      request.session.flash = { message: `${channel.name} added. Send a test to check it.`, tone: 'success' };
      return reply.redirect(HOME, 303);
    } catch (error) {
      if (isAppError(error) && error.status === 400) return showForm(reply, type, request.body ?? {}, error.fields ?? { name: error.message }, 400);
      throw error;
    }
  });

  app.post(`${HOME}/:id/test`, async (request: IdRequest, reply) =>
    act(request, reply, HOME, async () => {
      const outcome = await notifications.test(request.params.id);
      return outcome.ok ? { message: 'Test sent: look for it where this channel delivers.', tone: 'success' } : { message: `The test did not go through: ${outcome.error}`, tone: 'danger' };
    }, [404]),
  );

  app.post(`${HOME}/:id/toggle`, async (request: IdRequest, reply) =>
    act(request, reply, HOME, async () => {
      const channel = await notifications.update(request.params.id, { enabled: request.body?.enabled === '1' }, actorOf(request));
      return { message: channel.enabled ? `${channel.name} is on.` : `${channel.name} is off: it gets nothing until you turn it on.`, tone: 'success' };
    }, [404]),
  );

  app.post(`${HOME}/:id/delete`, async (request: IdRequest, reply) =>
    act(request, reply, HOME, async () => {
      await notifications.remove(request.params.id, actorOf(request));
      return { message: 'Channel removed.', tone: 'success' };
    }, [404]),
  );

  app.post(`${HOME}/deliveries/:id/resend`, async (request: IdRequest, reply) =>
    act(request, reply, `${HOME}?status=pending`, async () => {
      await notifications.resend(request.params.id, actorOf(request));
      return { message: 'Queued again: it goes out within a few seconds.', tone: 'success' };
    }, [409]),
  );
}
