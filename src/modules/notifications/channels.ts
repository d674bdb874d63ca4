import crypto from 'node:crypto';
import type { Dispatcher } from 'undici';
import { AppError } from '../../errors.js';
import { discordRequest, ntfyRequest, slackRequest, telegramRequest, webhookRequest } from './channel-requests.js';
import { sendEmail, TLS_MODES, type EmailConfig, type TlsMode } from './email-channel.js';
import { isEventType, type EventType, type NotificationMessage } from './notification-events.js';
import { checkChannelUrl, postRequest } from './notification-http.js';

export const CHANNEL_TYPES = ['email', 'discord', 'slack', 'ntfy', 'telegram', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const isChannelType = (value: unknown): value is ChannelType => (CHANNEL_TYPES as readonly unknown[]).includes(value);

/** A channel ready to send: its settings, and its secret opened (never shown or logged). */
export interface OpenChannel {
  type: ChannelType;
  config: Record<string, unknown>;
  secret: string | null;
}

/** What a checked channel form or API body stores: `config` without secrets, and the secret apart. */
export interface ChannelSettings {
  config: Record<string, unknown>;
  /** undefined: keep the stored one (an edit that does not change it). */
  secret?: string | null;
}

type Fields = Record<string, unknown>;
const fail = (field: string, message: string): never => {
  throw new AppError('notifications.invalid', message, { status: 400, expose: true, fields: { [field]: message } });
};
const text = (fields: Fields, name: string, max = 500): string => {
  const value = fields[name];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' && typeof value !== 'number') fail(name, 'Enter text here.');
  const trimmed = String(value).trim();
  return trimmed.length > max ? fail(name, `Keep it to ${max} characters or fewer.`) : trimmed;
};
const required = (fields: Fields, name: string, label: string): string => text(fields, name) || fail(name, `Enter the ${label}.`);
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

function url(fields: Fields, name: string, label: string): string {
  const raw = required(fields, name, label);
  return checkChannelUrl(raw)?.toString() ?? fail(name, `Enter the ${label} starting with https:// (or http://).`);
}

/** A secret field: given, it replaces the stored one; left out (or empty) on an edit, the stored one stays. */
function secretField(fields: Fields, name: string, label: string, needed: boolean, editing: boolean): string | undefined {
  const value = text(fields, name, 2000);
  if (value) return value;
  if (needed && !editing) fail(name, `Enter the ${label}.`);
  return undefined;
}

/**
 * Checks one channel's settings for its type; throws an AppError naming the field at fault. The
 * webhook's signing secret is made here (shown once); Discord and Slack webhook URLs carry their
 * token, so they are the secret, and only their host is kept in the open.
 */
export function parseChannelSettings(type: ChannelType, fields: Fields, editing: boolean): ChannelSettings {
  switch (type) {
    case 'email': {
      const tls = (text(fields, 'tls') || 'starttls') as TlsMode;
      if (!TLS_MODES.includes(tls)) fail('tls', 'Choose STARTTLS, TLS or none.');
      const portText = text(fields, 'port') || (tls === 'tls' ? '465' : tls === 'starttls' ? '587' : '25');
      const port = /^\d{1,5}$/.test(portText) ? Number(portText) : 0;
      if (port < 1 || port > 65_535) fail('port', 'Enter a port from 1 to 65535.');
      const from = required(fields, 'from', 'address the emails come from');
      const to = required(fields, 'to', 'address the emails go to');
      if (!EMAIL.test(from)) fail('from', 'Enter an email address, like helpr@example.com.');
      if (!EMAIL.test(to)) fail('to', 'Enter an email address, like you@example.com.');
      const config: EmailConfig = { host: required(fields, 'host', 'SMTP server'), port, tls, user: text(fields, 'user') || undefined, from, to };
      return { config: { ...config }, secret: secretField(fields, 'password', 'SMTP password', false, editing) };
    }
    case 'discord':
    case 'slack': {
      if (editing && !text(fields, 'url')) return { config: {} };
      const hook = url(fields, 'url', 'webhook URL');
      return { config: { host: new URL(hook).host }, secret: hook };
    }
    case 'ntfy': {
      const topic = required(fields, 'topic', 'topic');
      if (!/^[-_A-Za-z0-9]{1,64}$/.test(topic)) fail('topic', 'Use 1 to 64 letters, digits, - or _.');
      const server = text(fields, 'server') ? url(fields, 'server', 'ntfy server') : 'https://ntfy.sh/';
      return { config: { server, topic }, secret: secretField(fields, 'token', 'access token', false, editing) };
    }
    case 'telegram': {
      const chatId = required(fields, 'chatId', 'chat id');
      if (!/^(-?\d{1,20}|@[A-Za-z0-9_]{5,64})$/.test(chatId)) fail('chatId', 'Enter the chat id (a number like -1001234567890) or @channelname.');
      const token = secretField(fields, 'token', 'bot token', true, editing);
      if (token !== undefined && !/^\d{3,20}:[-_A-Za-z0-9]{20,100}$/.test(token)) fail('token', 'Enter the bot token BotFather gave you (like 123456:ABC-DEF…).');
      const apiUrl = text(fields, 'apiUrl') ? url(fields, 'apiUrl', 'Bot API server') : undefined;
      return { config: { chatId, ...(apiUrl ? { apiUrl } : {}) }, secret: token };
    }
    case 'webhook': {
      const hook = url(fields, 'url', 'webhook URL');
      // A new signing secret only when the channel is made; an edit keeps it.
      return { config: { url: hook }, secret: editing ? undefined : crypto.randomBytes(32).toString('hex') };
    }
  }
}

/** The events a channel wants: known type names, each once; at least one. */
export function parseEvents(value: unknown): EventType[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const events = [...new Set(list)].filter(isEventType);
  if (events.length === 0 || events.length !== new Set(list).size) fail('events', 'Choose one or more events from the list.');
  return events;
}

/** The settings as the admin area and the API show them: no secret, whether one is set, no credentials in a URL. */
export function publicConfig(type: ChannelType, config: Record<string, unknown>, hasSecret: boolean): Record<string, unknown> {
  const shown = { ...config };
  // Credentials someone put into an address are never shown back.
  for (const key of ['url', 'server', 'apiUrl']) {
    if (typeof shown[key] !== 'string') continue;
    const parsed = new URL(shown[key] as string);
    parsed.username = '';
    parsed.password = '';
    shown[key] = parsed.toString();
  }
  const secretName: Record<ChannelType, string> = { email: 'hasPassword', discord: 'hasUrl', slack: 'hasUrl', ntfy: 'hasToken', telegram: 'hasToken', webhook: 'hasSecret' };
  return { ...shown, [secretName[type]]: hasSecret };
}

export interface SendOptions {
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  /** Trusted CA for a test SMTP server with its own certificate. */
  smtpCa?: string;
  /** The site title, in the email sender's name. */
  siteTitle?: string;
}

/** Sends one message through one channel; throws a DeliveryError saying why it did not go through. */
export async function sendToChannel(channel: OpenChannel, message: NotificationMessage, options: SendOptions = {}): Promise<void> {
  const secret = channel.secret ?? '';
  const http = { dispatcher: options.dispatcher, timeoutMs: options.timeoutMs };
  switch (channel.type) {
    case 'email':
      return sendEmail(channel.config as unknown as EmailConfig, channel.secret, { subject: message.title, text: message.text, url: message.url, linkLabel: 'Open in Helpr', fromName: `${options.siteTitle ?? 'Helpr'} (Helpr)` }, { tlsCa: options.smtpCa });
    case 'discord':
      return postRequest(discordRequest(message, { url: secret }), http);
    case 'slack':
      return postRequest(slackRequest(message, { url: secret }), http);
    case 'ntfy':
      return postRequest(ntfyRequest(message, channel.config as { server: string; topic: string }, channel.secret), http);
    case 'telegram':
      return postRequest(telegramRequest(message, channel.config as { chatId: string; apiUrl?: string }, secret), http);
    case 'webhook':
      return postRequest(webhookRequest(message, channel.config as { url: string }, secret), http);
  }
}
