import { AppError } from '../../errors.js';
import type { EventType } from './notification-events.js';

/**
 * The emails a friend gets (issue 14), when Helpr knows their address and the owner turned them
 * on: each is a subject and a text the owner edits, with placeholders, sent through one of the
 * owner's email channels in the site's name.
 */
export const FRIEND_MESSAGES = ['received', 'joined', 'expiring', 'ended'] as const;
export type FriendMessage = (typeof FRIEND_MESSAGES)[number];

/** Which event sends which email. */
export const FRIEND_MESSAGE_OF: Partial<Record<EventType, FriendMessage>> = {
  'request.received': 'received',
  'invitation.accepted': 'joined',
  'access.expiring': 'expiring',
  'access.expired': 'ended',
};

export const FRIEND_MESSAGE_LABELS: Record<FriendMessage, string> = {
  received: 'We got your request (with the link to its page)',
  joined: 'You’re in (with your guide)',
  expiring: 'Your access ends on …',
  ended: 'Your access ended',
};

export const PLACEHOLDERS: Record<string, string> = {
  '{name}': 'their email or Plex username',
  '{site}': 'the site title',
  '{owner}': 'your name as set here',
  '{link}': 'the page of their request',
  '{date}': 'when their access ends',
  '{guide}': 'your guide for friends (Settings)',
};

export interface FriendEmailText {
  enabled: boolean;
  subject: string;
  text: string;
}

export interface FriendEmailSettings {
  /** The email channel that sends them; null: none is sent. */
  channelId: string | null;
  /** How the owner signs ("Sam"), in the sender's name and {owner}. */
  ownerName: string;
  messages: Record<FriendMessage, FriendEmailText>;
}

export const DEFAULT_FRIEND_EMAILS: FriendEmailSettings = {
  channelId: null,
  ownerName: '',
  messages: {
    received: { enabled: true, subject: 'We got your request for {site}', text: 'Hi {name},\n\nYour request to watch on {site} is saved. You can see where it stands here:\n{link}\n\nPlex will email you an invite: accept it and the libraries show up in your Plex apps.\n\n{owner}' },
    joined: { enabled: true, subject: 'You’re in: {site}', text: 'Hi {name},\n\nYou can watch now: open Plex, signed in with your account, and the shared libraries are there.\n\n{guide}\n\n{owner}' },
    expiring: { enabled: true, subject: 'Your access to {site} ends on {date}', text: 'Hi {name},\n\nYour access to {site} ends on {date}. If you would like to keep watching, just ask.\n\n{owner}' },
    ended: { enabled: false, subject: 'Your access to {site} has ended', text: 'Hi {name},\n\nYour access to {site} has ended. Thanks for watching! Ask if you would like it back.\n\n{owner}' },
  },
};

const SUBJECT_MAX = 200;
const TEXT_MAX = 5000;

/** The stored settings read back, anything missing or malformed as the default. */
export function readFriendEmails(stored: unknown): FriendEmailSettings {
  const value = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<FriendEmailSettings>;
  const messages = { ...DEFAULT_FRIEND_EMAILS.messages };
  for (const key of FRIEND_MESSAGES) {
    const entry = value.messages?.[key];
    if (entry && typeof entry.subject === 'string' && typeof entry.text === 'string') messages[key] = { enabled: entry.enabled === true, subject: entry.subject, text: entry.text };
  }
  return { channelId: typeof value.channelId === 'string' ? value.channelId : null, ownerName: typeof value.ownerName === 'string' ? value.ownerName : '', messages };
}

/** `{name}` and the others replaced by their values; unknown braces stay as typed. */
export const fillPlaceholders = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(name|site|owner|link|date|guide)\}/g, (_match, key: string) => values[key] ?? '');

/** One email ready to send: placeholders filled, blank lines left by empty ones tidied. */
export function friendEmail(settings: FriendEmailSettings, message: FriendMessage, values: Record<string, string>): { subject: string; text: string } {
  const entry = settings.messages[message];
  return {
    subject: fillPlaceholders(entry.subject, values).replace(/\s+/g, ' ').trim(),
    text: fillPlaceholders(entry.text, values).replace(/\n{3,}/g, '\n\n').trim(),
  };
}

type Form = Record<string, unknown>;
const field = (form: Form, name: string) => (typeof form[name] === 'string' ? (form[name] as string) : '');

/** The form of the Notifications page's "Emails to friends": checked, or an AppError naming the fields. */
export function parseFriendEmailsForm(form: Form, emailChannelIds: string[]): FriendEmailSettings {
  const errors: Record<string, string> = {};
  const channel = field(form, 'channelId');
  if (channel !== '' && !emailChannelIds.includes(channel)) errors.channelId = 'Choose one of your email channels.';
  const ownerName = field(form, 'ownerName').trim();
  if (ownerName.length > 100) errors.ownerName = 'Keep your name to 100 characters or fewer.';
  const messages = {} as Record<FriendMessage, FriendEmailText>;
  for (const key of FRIEND_MESSAGES) {
    const subject = field(form, `${key}Subject`).trim();
    const text = field(form, `${key}Text`).replace(/\r\n/g, '\n').trim();
    if (subject.length < 1 || subject.length > SUBJECT_MAX) errors[`${key}Subject`] = `Write a subject of 1 to ${SUBJECT_MAX} characters.`;
    if (text.length < 1 || text.length > TEXT_MAX) errors[`${key}Text`] = `Write a text of 1 to ${TEXT_MAX} characters.`;
    messages[key] = { enabled: form[`${key}Enabled`] !== undefined && form[`${key}Enabled`] !== '', subject, text };
  }
  if (Object.keys(errors).length > 0) throw new AppError('notifications.invalid', 'Nothing was saved: check the fields marked below.', { status: 400, expose: true, fields: errors });
  return { channelId: channel === '' ? null : channel, ownerName, messages };
}
