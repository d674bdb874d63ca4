import crypto from 'node:crypto';
import { linkOn } from '../../base-path.js';

/**
 * What Helpr tells the owner about (issue 14): these type names are used everywhere, in the
 * settings, the API and a webhook's `type`. Each event carries the facts of what happened in
 * `data`; describeEvent turns it into words for chat messages and emails.
 */
export const EVENT_TYPES = [
  'request.received',
  'invitation.sent',
  'invitation.accepted',
  'invitation.failed',
  'plex.token_refused',
  'plex.unreachable',
  'plex.recovered',
  'access.expiring',
  'access.expired',
  'access.removed',
  'sync.warning',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (value: unknown): value is EventType => (EVENT_TYPES as readonly unknown[]).includes(value);

/** The owner's names of the events, for the channel form. */
export const EVENT_LABELS: Record<EventType, string> = {
  'request.received': 'A friend asked for access',
  'invitation.sent': 'An invite was sent',
  'invitation.accepted': 'A friend joined (accepted)',
  'invitation.failed': 'An invite failed (needs you)',
  'plex.token_refused': 'Plex refused Helpr’s sign-in (needs you)',
  'plex.unreachable': 'Plex cannot be reached',
  'plex.recovered': 'Plex can be reached again',
  'access.expiring': 'Someone’s access ends soon',
  'access.expired': 'Someone’s access ended',
  'access.removed': 'Someone’s access was removed',
  'sync.warning': 'The users sync was not trusted (warning)',
};

export interface HelprEvent {
  id: string;
  type: EventType;
  /** ISO 8601 UTC. */
  occurredAt: string;
  data: Record<string, unknown>;
}

export type MessageLevel = 'info' | 'success' | 'warning' | 'error';

/** One event in words, as every channel sends it. */
export interface NotificationMessage {
  title: string;
  text: string;
  /** Where the owner looks next (absolute when Helpr knows its public address). */
  url?: string;
  level: MessageLevel;
  event: HelprEvent;
}

/** "2026-12-05 08:00 UTC" from an ISO instant (messages go to chats that know no time zone of Helpr's). */
const utcTime = (iso: string): string => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso);

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' && value !== '' ? value : fallback);

/** Title, text, level and the admin page to look at, for each event type. */
function words(event: HelprEvent): Omit<NotificationMessage, 'event' | 'url'> & { path: string } {
  const d = event.data;
  const who = str(d.who, 'someone');
  const request = `/admin/invitations?q=${encodeURIComponent(str(d.who))}`;
  const person = d.userId ? `/admin/users/${encodeURIComponent(str(d.userId))}` : '/admin/users';
  switch (event.type) {
    case 'request.received':
      return { title: `${who} asked for access`, text: `${who} asked for access${d.via === 'plex' ? ' with their Plex account' : ''}${d.code ? ` with the code ${str(d.code)}` : ''}.${d.awaitsOwner ? ' The request waits for your approval.' : ''}`, level: 'info', path: request };
    case 'invitation.sent':
      return { title: `Invite sent to ${who}`, text: `Plex sent ${who} the invite; they can watch once they accept it.`, level: 'success', path: request };
    case 'invitation.accepted':
      return { title: `${who} joined`, text: `${who} accepted the invite and can watch now.`, level: 'success', path: request };
    case 'invitation.failed':
      return { title: `The invite for ${who} failed`, text: `Helpr could not invite ${who}: ${str(d.reason, 'Plex refused it')}. Look at the request to retry or tell them.`, level: 'error', path: request };
    case 'plex.token_refused':
      return { title: 'Plex refused Helpr’s sign-in', text: 'Plex no longer accepts Helpr’s sign-in (revoked, expired or signed out). Requests wait until you sign in with Plex again in the admin area.', level: 'error', path: '/admin/plex' };
    case 'plex.unreachable':
      return { title: 'Plex cannot be reached', text: `Helpr has not reached Plex for ${str(String(d.minutes ?? ''), 'some')} minutes: ${str(d.reason, 'no answer')}. Requests are kept and sent once it answers.`, level: 'warning', path: '/admin/plex' };
    case 'plex.recovered':
      return { title: 'Plex can be reached again', text: 'Helpr reaches Plex again; waiting requests go out now.', level: 'success', path: '/admin/plex' };
    case 'access.expiring':
      return { title: `${who}’s access ends soon`, text: `${who}’s access ends on ${utcTime(str(d.expiresAt))}. Extend it on their page if they should keep it.`, level: 'warning', path: person };
    case 'access.expired':
      return { title: `${who}’s access ended`, text: `${who}’s access ran out and was removed in Plex. You can give it back on their page.`, level: 'info', path: person };
    case 'access.removed':
      return { title: `${who}’s access was removed`, text: `${who} no longer has access${d.inPlex ? ' (removed in Plex)' : ''}.`, level: 'info', path: person };
    case 'sync.warning':
      return { title: 'Users sync not trusted', text: `The users sync changed nothing: ${str(d.message, 'plex.tv did not answer as expected')}.`, level: 'warning', path: '/admin/users' };
  }
}

/** The event in words, with an absolute link when `baseUrl` (the public address) is known. */
export function describeEvent(event: HelprEvent, baseUrl?: string): NotificationMessage {
  const { path, ...rest } = words(event);
  return { ...rest, url: baseUrl ? linkOn(baseUrl, path) : undefined, event };
}

/** An outbox row for an event, to write in the same transaction as the change that caused it. */
export interface NewEventRow {
  id: string;
  type: EventType;
  occurred_at: string;
  data: string;
}

export function newEvent(type: EventType, data: Record<string, unknown>, at: string): NewEventRow {
  return { id: crypto.randomUUID(), type, occurred_at: at, data: JSON.stringify(data) };
}
