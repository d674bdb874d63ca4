import crypto from 'node:crypto';
import type { MessageLevel, NotificationMessage } from './notification-events.js';

/**
 * The HTTP request each chat or webhook channel makes for one message, in the format its service
 * documents (issue 14). Pure: notification-http.ts sends it. Email is in email-channel.ts.
 */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface DiscordConfig { url: string }
export interface SlackConfig { url: string }
export interface NtfyConfig { server: string; topic: string }
export interface TelegramConfig { chatId: string; apiUrl?: string }
export interface WebhookConfig { url: string }

const JSON_TYPE = { 'content-type': 'application/json' };

// Discord embeds take a colour as a number; these are Bootstrap's info, success, warning and danger.
const DISCORD_COLORS: Record<MessageLevel, number> = { info: 0x0dcaf0, success: 0x198754, warning: 0xffc107, error: 0xdc3545 };
// ntfy's tags that render as emoji, and its priorities (3 = default, 4 = high).
const NTFY_TAGS: Record<MessageLevel, string> = { info: 'information_source', success: 'white_check_mark', warning: 'warning', error: 'rotating_light' };
const NTFY_PRIORITY: Record<MessageLevel, number> = { info: 3, success: 3, warning: 4, error: 4 };

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
/** Escaped text cut to `max` characters without splitting an entity (&amp; and the like). */
const cutEscaped = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).replace(/&[a-z]{0,5}$/, '')}…`);

/** Discord's execute-webhook: one embed (title at most 256 characters, description 4096). */
export function discordRequest(message: NotificationMessage, config: DiscordConfig): OutgoingRequest {
  const embed = {
    title: cut(message.title, 256),
    description: cut(message.text, 4096),
    ...(message.url ? { url: message.url } : {}),
    color: DISCORD_COLORS[message.level],
    timestamp: message.event.occurredAt,
    footer: { text: `Helpr · ${message.event.type}` },
  };
  return { url: config.url, headers: JSON_TYPE, body: JSON.stringify({ username: 'Helpr', embeds: [embed], allowed_mentions: { parse: [] } }) };
}

/** A Slack incoming webhook (and Mattermost, Rocket.Chat…): `text` is the fallback, blocks the layout. */
export function slackRequest(message: NotificationMessage, config: SlackConfig): OutgoingRequest {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const link = message.url ? `\n<${message.url}|Open in Helpr>` : '';
  // A section's text holds at most 3,000 characters (Slack refuses more), link included.
  return {
    url: config.url,
    headers: JSON_TYPE,
    body: JSON.stringify({
      text: cut(`${message.title}: ${message.text}`, 3000),
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${cutEscaped(escape(message.title), 300)}*\n${cutEscaped(escape(message.text), 2500)}${link}` } }],
    }),
  };
}

/** ntfy's JSON publishing (POST to the server's root): no header encoding for titles in any language. */
export function ntfyRequest(message: NotificationMessage, config: NtfyConfig, auth: string | null): OutgoingRequest {
  const headers: Record<string, string> = { ...JSON_TYPE };
  // A token (tk_…) is a bearer token; "user:password" is basic authentication.
  if (auth) headers.authorization = auth.includes(':') ? `Basic ${Buffer.from(auth).toString('base64')}` : `Bearer ${auth}`;
  const body = {
    topic: config.topic,
    title: message.title,
    message: message.text,
    tags: [NTFY_TAGS[message.level]],
    priority: NTFY_PRIORITY[message.level],
    ...(message.url ? { click: message.url } : {}),
  };
  // The server's own path kept (ntfy behind a proxy at https://host/ntfy/).
  const server = config.server.endsWith('/') ? config.server : `${config.server}/`;
  return { url: new URL('./', server).toString(), headers, body: JSON.stringify(body) };
}

export const TELEGRAM_API = 'https://api.telegram.org';

/** Telegram's sendMessage, as HTML (only <b> and <a>, everything else escaped). */
export function telegramRequest(message: NotificationMessage, config: TelegramConfig, token: string): OutgoingRequest {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const link = message.url ? `\n<a href="${escape(message.url)}">Open in Helpr</a>` : '';
  return {
    url: `${(config.apiUrl ?? TELEGRAM_API).replace(/\/+$/, '')}/bot${token}/sendMessage`,
    headers: JSON_TYPE,
    // At most 4,096 characters, cut where no tag or entity is split.
    body: JSON.stringify({ chat_id: config.chatId, text: `<b>${cutEscaped(escape(message.title), 300)}</b>\n${cutEscaped(escape(message.text), 3300)}${link}`, parse_mode: 'HTML', disable_web_page_preview: true }),
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>` with the channel's secret: what a receiver recomputes. */
export const webhookSignature = (secret: string, body: string): string => `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;

/** The generic webhook: the event as JSON, signed, its type in a header. */
export function webhookRequest(message: NotificationMessage, config: WebhookConfig, secret: string): OutgoingRequest {
  const { id, type, occurredAt, data } = message.event;
  const body = JSON.stringify({ id, type, occurredAt, data });
  return {
    url: config.url,
    headers: { ...JSON_TYPE, 'x-helpr-event': type, 'x-helpr-delivery': id, 'x-helpr-signature': webhookSignature(secret, body) },
    body,
  };
}
