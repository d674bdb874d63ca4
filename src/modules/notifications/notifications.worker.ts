import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { SecretBox } from '../../security/crypto.js';
import { retryDelayMs, RETRY_POLICY } from '../invitations/retry-policy.js';
import type { SettingsService } from '../settings/settings.service.js';
import { sendToChannel, type SendOptions } from './channels.js';
import { describeEvent, type EventType, type HelprEvent } from './notification-events.js';
import { DeliveryError, NOTIFY_TIMEOUT_MS } from './notification-http.js';
import type { DueDelivery, NotificationsRepository } from './notifications.repository.js';
import { openChannel } from './notifications.service.js';

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
}) {
  const owner = `notify-${crypto.randomUUID()}`;

  async function attempt(due: DueDelivery, context: { baseUrl: string | undefined; siteTitle: string }): Promise<void> {
    const { delivery, event, channel } = due;
    const helprEvent: HelprEvent = { id: event.id, type: event.type as EventType, occurredAt: event.occurred_at, data: JSON.parse(event.data) as Record<string, unknown> };
    let outcome: { status: 'delivered' | 'pending' | 'dead'; error: string | null; nextIso: string | null };
    try {
      await sendToChannel(openChannel(channel, deps.box), describeEvent(helprEvent, context.baseUrl), { ...deps.send, siteTitle: context.siteTitle });
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

  return async function notificationsPass(): Promise<number> {
    const nowIso = isoNow(deps.clock);
    await deps.repository.fanOut(nowIso, 100);
    const due = await deps.repository.findDue(nowIso, BATCH);
    if (due.length === 0) return 0;
    const [baseUrl, settings] = await Promise.all([deps.baseUrl(), deps.settings.get()]);
    const context = { baseUrl, siteTitle: settings.siteTitle };
    const queue = [...due];
    let handled = 0;
    await Promise.all(
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
    return handled;
  };
}
