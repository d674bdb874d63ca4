import { formatTime, localInputValue } from '../../time-format.js';
import { localToUtc } from '../../time-zone.js';
import { describeEvent, type EventType, type HelprEvent, type MessageLevel, type NotificationMessage } from './notification-events.js';
import { linkOn } from '../../base-path.js';

/** The daily digest goes out at this hour of the owner's day. */
export const DIGEST_HOUR = 8;
const DIGEST_LINES = 50;
const SEVERITY: MessageLevel[] = ['success', 'info', 'warning', 'error'];

/** The latest DIGEST_HOUR:00 in the owner's zone at or before `now`: the digest due since then. */
export function latestDigestSlot(now: Date, zone: string): Date {
  const at = (instant: Date) => localToUtc(`${localInputValue(instant.toISOString(), zone).slice(0, 10)}T${String(DIGEST_HOUR).padStart(2, '0')}:00`, zone)!;
  const today = at(now);
  return today.getTime() <= now.getTime() ? today : at(new Date(now.getTime() - 86_400_000));
}

/** One message with every event held for a channel since its last digest, most serious first in its tone. */
export function digestMessage(items: Array<{ event_id: string; type: string; occurred_at: string; data: string }>, context: { siteTitle: string; baseUrl?: string; zone: string; nowIso: string }): NotificationMessage {
  const events: HelprEvent[] = items.map((item) => ({ id: item.event_id, type: item.type as EventType, occurredAt: item.occurred_at, data: JSON.parse(item.data) as Record<string, unknown> }));
  const described = events.map((event) => describeEvent(event, context.baseUrl));
  const lines = described.slice(0, DIGEST_LINES).map((message) => `• ${formatTime(message.event.occurredAt, context.zone)}: ${message.title}`);
  if (described.length > DIGEST_LINES) lines.push(`…and ${described.length - DIGEST_LINES} more on the Notifications page.`);
  const level = described.reduce<MessageLevel>((worst, message) => (SEVERITY.indexOf(message.level) > SEVERITY.indexOf(worst) ? message.level : worst), 'success');
  const count = events.length === 1 ? '1 thing' : `${events.length} things`;
  return {
    title: `${context.siteTitle}: ${count} since the last digest`,
    text: lines.join('\n'),
    url: context.baseUrl ? linkOn(context.baseUrl, '/admin/notifications') : undefined,
    level,
    // Webhooks never get digests; chats and emails read the event for its time only.
    event: { id: `digest-${context.nowIso}`, type: events[0]?.type ?? 'request.received', occurredAt: context.nowIso, data: { count: events.length } },
  };
}
