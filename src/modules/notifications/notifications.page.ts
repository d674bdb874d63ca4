import { formatTime } from '../../time-format.js';
import { FRIEND_MESSAGE_LABELS, FRIEND_MESSAGES, PLACEHOLDERS, type FriendEmailSettings } from './friend-emails.js';
import type { ChannelRow } from './notifications.repository.js';
import type { ChannelType } from './channels.js';
import { describeEvent, EVENT_LABELS, EVENT_TYPES, type EventType, type HelprEvent } from './notification-events.js';
import type { NotificationsRepository } from './notifications.repository.js';
import type { ChannelView } from './notifications.service.js';

export const CHANNEL_LABELS: Record<ChannelType, string> = { email: 'Email', discord: 'Discord', slack: 'Slack (or Mattermost)', ntfy: 'ntfy', telegram: 'Telegram', webhook: 'Webhook' };

export interface ChannelField {
  name: string;
  label: string;
  type: 'text' | 'password' | 'number' | 'email' | 'url' | 'select';
  help?: string;
  options?: Array<[string, string]>;
  optional?: boolean;
}

/** The form of each kind of channel; secrets are password fields (left empty on a change: kept). */
export const CHANNEL_FIELDS: Record<ChannelType, ChannelField[]> = {
  email: [
    { name: 'host', label: 'SMTP server', type: 'text', help: 'Like smtp.gmail.com or smtp.fastmail.com.' },
    { name: 'tls', label: 'Security', type: 'select', options: [['starttls', 'STARTTLS (port 587)'], ['tls', 'TLS (port 465)'], ['none', 'None (a relay on your network)']] },
    { name: 'port', label: 'Port', type: 'number', optional: true, help: 'Empty: the usual port for the security chosen.' },
    { name: 'user', label: 'User name', type: 'text', optional: true },
    { name: 'password', label: 'Password', type: 'password', optional: true, help: 'For Gmail and others with two-step sign-in: an app password.' },
    { name: 'from', label: 'From address', type: 'email', help: 'An address the server may send from.' },
    { name: 'to', label: 'Send to', type: 'email', help: 'Your own address.' },
  ],
  discord: [{ name: 'url', label: 'Webhook URL', type: 'url', help: 'Discord: Server settings → Integrations → Webhooks → New webhook → Copy webhook URL.' }],
  slack: [{ name: 'url', label: 'Webhook URL', type: 'url', help: 'An incoming webhook (Slack apps → Incoming Webhooks; Mattermost and Rocket.Chat take the same).' }],
  ntfy: [
    { name: 'server', label: 'Server', type: 'url', optional: true, help: 'Empty: https://ntfy.sh. Your own ntfy server otherwise.' },
    { name: 'topic', label: 'Topic', type: 'text', help: 'Letters, digits, - or _; on ntfy.sh anyone who knows it can read it, so make it hard to guess.' },
    { name: 'token', label: 'Access token', type: 'password', optional: true, help: 'A token (tk_…) or user:password, where the topic is protected.' },
  ],
  telegram: [
    { name: 'token', label: 'Bot token', type: 'password', help: 'From @BotFather (/newbot).' },
    { name: 'chatId', label: 'Chat id', type: 'text', help: 'Your chat with the bot, a group (-100…) or @channelname; the bot must be in it.' },
    { name: 'apiUrl', label: 'Bot API server', type: 'url', optional: true, help: 'Only for a self-hosted Bot API server.' },
  ],
  webhook: [{ name: 'url', label: 'URL', type: 'url', help: 'Helpr POSTs each event as JSON, signed with a secret shown once after you add the channel.' }],
};

/** What a new channel gets unless the owner says otherwise: what needs them, and what they want to hear. */
export const DEFAULT_EVENTS: EventType[] = ['request.received', 'invitation.failed', 'plex.token_refused', 'plex.unreachable', 'plex.recovered', 'access.expired', 'sync.warning'];

export const eventChoices = (selected: readonly string[]) => EVENT_TYPES.map((type) => ({ type, label: EVENT_LABELS[type], checked: selected.includes(type) }));

const STATUS_LABELS = { pending: 'Waiting', held: 'In the next digest', delivered: 'Delivered', dead: 'Not delivered' } as const;
const STATUS_BADGES = { pending: 'text-bg-info', held: 'text-bg-secondary', delivered: 'text-bg-success', dead: 'text-bg-danger' } as const;

/** Where a channel sends, as the owner recognises it (never a secret). */
function whereOf(config: Record<string, unknown>): string {
  if (typeof config.to === 'string') return config.to;
  if (typeof config.topic === 'string') return `${String(config.server ?? 'https://ntfy.sh/')}${config.topic}`;
  if (typeof config.chatId === 'string') return `chat ${config.chatId}`;
  return String(config.url ?? config.host ?? '');
}

/** The channels as the page lists them. */
export const channelRows = (channels: ChannelView[]) =>
  channels.map((channel) => ({
    ...channel,
    typeLabel: CHANNEL_LABELS[channel.type],
    eventsText: channel.events.map((type) => EVENT_LABELS[type]).join(', '),
    where: whereOf(channel.config),
  }));

/** The latest deliveries in words: what it was about, where it went, how it went. */
export function deliveryRows(rows: Awaited<ReturnType<NotificationsRepository['listDeliveries']>>, timeZone: string | undefined) {
  return rows.map((row) => {
    const event: HelprEvent = { id: row.id, type: row.type as EventType, occurredAt: row.occurred_at, data: JSON.parse(row.data) as Record<string, unknown> };
    return {
      id: row.id,
      title: describeEvent(event).title,
      channel: row.channel_name,
      status: row.status,
      statusLabel: STATUS_LABELS[row.status],
      badge: STATUS_BADGES[row.status],
      attempts: row.attempts,
      error: row.last_error,
      at: formatTime(row.occurred_at, timeZone),
      atIso: row.occurred_at,
      next: row.status === 'pending' && row.next_attempt_at ? formatTime(row.next_attempt_at, timeZone) : undefined,
    };
  });
}

/** "Emails to friends" as the form shows it: the sending channel, each message with its preview. */
export function friendsFormModel(settings: FriendEmailSettings, emailChannels: ChannelRow[], previews: Record<string, { subject: string; text: string }>) {
  return {
    channelId: settings.channelId ?? '',
    ownerName: settings.ownerName,
    channels: emailChannels.map((channel) => ({ id: channel.id, name: channel.name })),
    placeholders: Object.entries(PLACEHOLDERS),
    messages: FRIEND_MESSAGES.map((key) => ({ key, label: FRIEND_MESSAGE_LABELS[key], ...settings.messages[key], preview: previews[key]! })),
  };
}

/** What a refused form sent, to show again as typed. */
export function friendsFromForm(form: Record<string, unknown>): FriendEmailSettings {
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).slice(0, 6000) : '');
  const messages = Object.fromEntries(FRIEND_MESSAGES.map((key) => [key, { enabled: text(`${key}Enabled`) !== '', subject: text(`${key}Subject`), text: text(`${key}Text`) }])) as FriendEmailSettings['messages'];
  return { channelId: text('channelId') || null, ownerName: text('ownerName'), messages };
}
