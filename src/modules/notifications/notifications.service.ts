import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import type { DeliveryStatus } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { SecretBox } from '../../security/crypto.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { isChannelType, parseChannelSettings, parseEvents, publicConfig, sendToChannel, type ChannelType, type OpenChannel, type SendOptions } from './channels.js';
import { describeEvent, type EventType } from './notification-events.js';
import { DeliveryError } from './notification-http.js';
import type { ChannelRow, NotificationsRepository } from './notifications.repository.js';

export interface ChannelView {
  id: string;
  type: ChannelType;
  name: string;
  events: EventType[];
  enabled: boolean;
  /** One message a day (at DIGEST_HOUR, the owner's time) instead of one per event. */
  digest: boolean;
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ChannelInput {
  type?: unknown;
  name?: unknown;
  events?: unknown;
  enabled?: unknown;
  digest?: unknown;
  config?: unknown;
}

/** A daily digest is for people (email, chats); a webhook is for programs, which want each event. */
function digestOf(type: ChannelType, value: unknown): boolean {
  if (value !== true) return false;
  if (type === 'webhook') throw new AppError('notifications.invalid', 'A webhook gets each event as it happens: a daily digest is for email and chats.', { status: 400, expose: true, fields: { digest: 'Not for a webhook.' } });
  return true;
}

const notFound = () => new AppError('notifications.not_found', 'There is no such notification channel.', { status: 404, expose: true });

/** Opens a stored channel for sending: its settings and its secret. */
export function openChannel(row: ChannelRow, box: SecretBox): OpenChannel {
  return { type: row.type as ChannelType, config: JSON.parse(row.config) as Record<string, unknown>, secret: row.secret ? box.decrypt(row.secret) : null };
}

/** The event every "Send a test" sends: invented, and saying so. */
function testMessage(nowIso: string, baseUrl: string | undefined) {
  const event = { id: `test-${crypto.randomUUID()}`, type: 'request.received' as const, occurredAt: nowIso, data: { who: 'test@example.com', test: true } };
  return { ...describeEvent(event, baseUrl), title: 'Helpr test message', text: 'This is a test from Helpr: this channel works. Friends’ requests and what needs you will arrive here.' };
}

/** The owner's channels (admin area and API): made, changed, removed and tried, each audited. */
export function createNotificationsService(deps: {
  repository: NotificationsRepository;
  box: SecretBox;
  audit: AuditService;
  settings: SettingsService;
  clock: Clock;
  /** The public address for links in messages (BASE_URL or the settings' address). */
  baseUrl: () => Promise<string | undefined>;
  send?: SendOptions;
}) {
  const { repository, box } = deps;
  const view = (row: ChannelRow): ChannelView => ({
    id: row.id,
    type: row.type as ChannelType,
    name: row.name,
    events: JSON.parse(row.events) as EventType[],
    enabled: row.enabled === 1,
    digest: row.digest === 1,
    config: publicConfig(row.type as ChannelType, JSON.parse(row.config) as Record<string, unknown>, row.secret !== null),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  const name = (value: unknown): string => {
    const trimmed = typeof value === 'string' ? value.trim() : '';
    if (trimmed.length < 1 || trimmed.length > 100) throw new AppError('notifications.invalid', 'Give the channel a name of 1 to 100 characters.', { status: 400, expose: true, fields: { name: 'Give the channel a name of 1 to 100 characters.' } });
    return trimmed;
  };
  const fieldsOf = (config: unknown) => (typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {});

  async function get(id: string): Promise<ChannelRow> {
    const row = await repository.findChannel(id);
    if (!row) throw notFound();
    return row;
  }

  return {
    async list(): Promise<ChannelView[]> {
      return (await repository.listChannels()).map(view);
    },

    get: async (id: string) => view(await get(id)),

    /** A new channel; a webhook's signing secret is answered here once (`secret`) and never again. */
    async create(input: ChannelInput, actor: AuditActor): Promise<{ channel: ChannelView; secret?: string }> {
      if (!isChannelType(input.type)) throw new AppError('notifications.invalid', 'Choose a type of channel.', { status: 400, expose: true, fields: { type: 'Choose email, Discord, Slack, ntfy, Telegram or webhook.' } });
      const settings = parseChannelSettings(input.type, fieldsOf(input.config), false);
      const at = isoNow(deps.clock);
      const row = {
        id: crypto.randomUUID(),
        type: input.type,
        name: name(input.name),
        events: JSON.stringify(parseEvents(input.events)),
        config: JSON.stringify(settings.config),
        secret: settings.secret ? box.encrypt(settings.secret) : null,
        enabled: input.enabled === false ? 0 : 1,
        digest: digestOf(input.type, input.digest) ? 1 : 0,
        // The first digest at the next 08:00, with what came until then.
        last_digest_at: at,
        created_at: at,
        updated_at: at,
      };
      await repository.insertChannel(row);
      await deps.audit.record(actor, 'notifications.channel_create', row.name, { type: row.type, events: JSON.parse(row.events) });
      const channel = view({ ...row, enabled: row.enabled });
      return input.type === 'webhook' ? { channel, secret: settings.secret ?? undefined } : { channel };
    },

    /** Changes what is given; a secret left out stays as it was. */
    async update(id: string, input: ChannelInput, actor: AuditActor): Promise<ChannelView> {
      const row = await get(id);
      const type = row.type as ChannelType;
      const set: Partial<ChannelRow> = { updated_at: isoNow(deps.clock) };
      if (input.name !== undefined) set.name = name(input.name);
      if (input.events !== undefined) set.events = JSON.stringify(parseEvents(input.events));
      if (input.enabled !== undefined) set.enabled = input.enabled === true ? 1 : 0;
      if (input.digest !== undefined) set.digest = digestOf(type, input.digest) ? 1 : 0;
      if (set.digest === 1 && row.digest === 0) set.last_digest_at = set.updated_at;
      if (input.config !== undefined) {
        const settings = parseChannelSettings(type, { ...(JSON.parse(row.config) as object), ...fieldsOf(input.config) }, true);
        set.config = JSON.stringify({ ...(JSON.parse(row.config) as object), ...settings.config });
        if (settings.secret !== undefined) set.secret = settings.secret === null ? null : box.encrypt(settings.secret);
      }
      await repository.updateChannel(id, set);
      if (row.digest === 1 && set.digest === 0) await repository.releaseHeld(id, set.updated_at!);
      await deps.audit.record(actor, 'notifications.channel_update', set.name ?? row.name, { fields: Object.keys(input).filter((key) => (input as Record<string, unknown>)[key] !== undefined) });
      return view({ ...row, ...set });
    },

    async remove(id: string, actor: AuditActor): Promise<void> {
      const row = await get(id);
      await repository.deleteChannel(id);
      await deps.audit.record(actor, 'notifications.channel_delete', row.name, { type: row.type });
    },

    /** Sends a test message now (not through the outbox): the outcome in words. */
    async test(id: string): Promise<{ ok: true } | { ok: false; error: string }> {
      const row = await get(id);
      const [baseUrl, settings] = await Promise.all([deps.baseUrl(), deps.settings.get()]);
      try {
        await sendToChannel(openChannel(row, box), testMessage(isoNow(deps.clock), baseUrl), { ...deps.send, siteTitle: settings.siteTitle });
        return { ok: true };
      } catch (error) {
        if (error instanceof DeliveryError) return { ok: false, error: error.message };
        return { ok: false, error: `Helpr could not send it: ${(error as Error)?.message ?? String(error)}` };
      }
    },

    deliveries: (filter: { status?: DeliveryStatus; limit: number; offset: number }) => repository.listDeliveries(filter),

    /** A dead message queued again (the admin area's Resend). */
    async resend(deliveryId: string, actor: AuditActor): Promise<void> {
      if (!(await repository.resend(deliveryId, isoNow(deps.clock)))) throw new AppError('notifications.not_dead', 'Only a message that could not be delivered can be sent again.', { status: 409, expose: true });
      await deps.audit.record(actor, 'notifications.resend', deliveryId);
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
