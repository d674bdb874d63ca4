import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { SecretBox } from '../../security/crypto.js';
import { retryDelayMs, RETRY_POLICY } from '../invitations/retry-policy.js';
import type { AppSettings, SettingsService } from '../settings/settings.service.js';
import { formatTime } from '../../time-format.js';
import { UTC } from '../../time-zone.js';
import { digestMessage, latestDigestSlot } from './digest.js';
import { sendEmail, type EmailConfig } from './email-channel.js';
import { FRIEND_MESSAGE_OF, friendEmail, type FriendEmailSettings } from './friend-emails.js';
import { sendToChannel, type SendOptions } from './channels.js';
import { describeEvent, type EventType, type HelprEvent } from './notification-events.js';
import { DeliveryError, NOTIFY_TIMEOUT_MS } from './notification-http.js';
import type { DueDelivery, NotificationsRepository } from './notifications.repository.js';
import { openChannel } from './notifications.service.js';
import { linkOn } from '../../base-path.js';

interface Context {
  baseUrl: string | undefined;
  settings: AppSettings;
  friends: FriendEmailSettings | undefined;
}

/** Longer than one delivery at its slowest (the 10 s limit, and an SMTP exchange's steps), with room. */
export const DELIVERY_LEASE_MS = 6 * NOTIFY_TIMEOUT_MS;
const BATCH = 20;
/** Deliveries sent at once by one instance: a dead channel holds up at most this many. */
const LANES = 4;

/**
 * One pass of the outbox worker: fans new events out into deliveries (one per channel that wants
 * them), then sends the deliveries due, each under a lease so several instances send each once.
 * A failure is tried again with the invitations' backoff (30 s doubling to an hour) for 24 hours,
 * then kept as dead; a refusal trying again cannot fix (a deleted webhook, a wrong token) is dead
 * at once. Answers how many deliveries it handled.
 */
export function createNotificationsPass(deps: {
  repository: NotificationsRepository;
  box: SecretBox;
  settings: SettingsService;
  baseUrl: () => Promise<string | undefined>;
  clock: Clock;
  logger: Logger;
  send?: SendOptions;
  random?: () => number;
  /** The owner's emails to friends (friend-emails.ts); none sent without. */
  friendEmails?: () => Promise<FriendEmailSettings>;
}) {
  const owner = `notify-${crypto.randomUUID()}`;

  /** The friend's email for this event, through the owner's email channel, in the site's name. */
  async function sendToFriend(due: DueDelivery, helprEvent: HelprEvent, context: Context): Promise<void> {
    const message = FRIEND_MESSAGE_OF[helprEvent.type];
    const open = openChannel(due.channel, deps.box);
    if (!message || open.type !== 'email' || !context.friends) throw new DeliveryError('Emails to friends are off now, or their channel is not an email channel any more.', true);
    const data = helprEvent.data;
    const values = {
      name: String(data.who ?? ''),
      site: context.settings.siteTitle,
      owner: context.friends.ownerName || context.settings.siteTitle,
      link: context.baseUrl && data.requestId ? linkOn(context.baseUrl, `/requests/${encodeURIComponent(String(data.requestId))}`) : '',
      date: typeof data.expiresAt === 'string' ? formatTime(data.expiresAt, context.settings.timeZone ?? UTC) : '',
      guide: message === 'joined' ? context.settings.guide : '',
    };
    const { subject, text } = friendEmail(context.friends, message, values);
    const fromName = context.friends.ownerName ? `${context.settings.siteTitle} (${context.friends.ownerName})` : context.settings.siteTitle;
    await sendEmail(open.config as unknown as EmailConfig, open.secret, { subject, text, fromName, to: String(data.email) }, { tlsCa: deps.send?.smtpCa });
  }

  async function attempt(due: DueDelivery, context: Context): Promise<void> {
    const { delivery, event, channel } = due;
    const helprEvent: HelprEvent = { id: event.id, type: event.type as EventType, occurredAt: event.occurred_at, data: JSON.parse(event.data) as Record<string, unknown> };
    let outcome: { status: 'delivered' | 'pending' | 'dead'; error: string | null; nextIso: string | null };
    try {
      if (delivery.recipient === 'friend') await sendToFriend(due, helprEvent, context);
      else await sendToChannel(openChannel(channel, deps.box), describeEvent(helprEvent, context.baseUrl), { ...deps.send, siteTitle: context.settings.siteTitle });
      outcome = { status: 'delivered', error: null, nextIso: null };
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : new DeliveryError(`Unexpected error: ${(error as Error)?.message ?? String(error)}`);
      const now = deps.clock.now();
      const expired = now.getTime() - new Date(delivery.created_at).getTime() >= RETRY_POLICY.giveUpAfterMs;
      const next = new Date(now.getTime() + retryDelayMs(delivery.attempts + 1, failure.retryAfterSeconds, deps.random)).toISOString();
      outcome = failure.permanent || expired ? { status: 'dead', error: failure.message, nextIso: null } : { status: 'pending', error: failure.message, nextIso: next };
      if (outcome.status === 'dead') deps.logger.warn({ channel: channel.name, event: event.type, error: failure.message }, 'a notification could not be delivered; it is kept as dead for the owner to resend');
    }
    await deps.repository.record(delivery.id, owner, { ...outcome, nowIso: isoNow(deps.clock) });
  }

  /** Each digest channel's daily message, once its hour came (one instance sends it: a conditional claim). */
  async function sendDigests(context: Context): Promise<void> {
    const now = deps.clock.now();
    const zone = context.settings.timeZone ?? UTC;
    const slot = latestDigestSlot(now, zone).toISOString();
    for (const channel of await deps.repository.digestChannels()) {
      if ((channel.last_digest_at ?? '') >= slot) continue;
      const items = await deps.repository.held(channel.id);
      if (items.length === 0 || !(await deps.repository.claimDigest(channel.id, slot, now.toISOString()))) continue;
      const message = digestMessage(items, { siteTitle: context.settings.siteTitle, baseUrl: context.baseUrl, zone, nowIso: now.toISOString() });
      let error: string | null = null;
      try {
        await sendToChannel(openChannel(channel, deps.box), message, { ...deps.send, siteTitle: context.settings.siteTitle });
      } catch (failure) {
        // Kept for the next digest, with why this one did not go out.
        error = failure instanceof DeliveryError ? failure.message : `Unexpected error: ${(failure as Error)?.message ?? String(failure)}`;
        deps.logger.warn({ channel: channel.name, error }, 'a daily digest could not be delivered; its messages go in the next one');
      }
      await deps.repository.finishDigest(items.map((item) => item.id), { delivered: error === null, error, nowIso: isoNow(deps.clock) });
    }
  }

  return async function notificationsPass(): Promise<number> {
    const nowIso = isoNow(deps.clock);
    const friends = await deps.friendEmails?.();
    const friendTypes = new Set(Object.entries(FRIEND_MESSAGE_OF).filter(([, message]) => friends?.messages[message].enabled).map(([type]) => type));
    await deps.repository.fanOut(nowIso, 100, friends?.channelId ? { channelId: friends.channelId, types: friendTypes } : undefined);
    const [baseUrl, settings] = await Promise.all([deps.baseUrl(), deps.settings.get()]);
    const context: Context = { baseUrl, settings, friends };
    await sendDigests(context);
    const due = await deps.repository.findDue(nowIso, BATCH);
    if (due.length === 0) return 0;
    const queue = [...due];
    let handled = 0;
    // Every lane ends before the pass does (a stop waits for the pass), even when one of them failed.
    const lanes = await Promise.allSettled(
      Array.from({ length: Math.min(LANES, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          const at = deps.clock.now();
          const claimed = await deps.repository.claim(id, owner, new Date(at.getTime() + DELIVERY_LEASE_MS).toISOString(), at.toISOString());
          if (!claimed) continue;
          await attempt(claimed, context);
          handled += 1;
        }
      }),
    );
    const failed = lanes.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
    if (failed) throw failed.reason;
    return handled;
  };
}
