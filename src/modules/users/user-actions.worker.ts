import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import { newEvent } from '../notifications/notification-events.js';
import type { UserActionsRepository } from './user-actions.repository.js';
import { displayName } from './users.models.js';
import type { UserActionRunner } from './user-action-runner.js';

/** How long before someone's access ends the owner hears of it (access.expiring). */
export const EXPIRY_NOTICE_DAYS = 3;

/**
 * One pass of the background work on people's access: queue a removal for everyone whose access
 * ended (the expiry job), then carry out the actions that are due (new ones the page could not
 * finish, retries). Several instances may run passes at once: a person has one open action at a
 * time (a unique key), and each action is claimed with a lease, so nobody is removed twice.
 */
export function createUserActionsPass(deps: { actions: UserActionsRepository; runner: UserActionRunner; clock: Clock; logger: Logger }, options: { batchSize?: number; concurrency?: number } = {}) {
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 4;

  async function queueExpiries(): Promise<number> {
    const nowIso = isoNow(deps.clock);
    let queued = 0;
    for (const userId of await deps.actions.dueExpiries(nowIso, batchSize)) {
      const fresh = await deps.actions.enqueue({
        id: crypto.randomUUID(),
        user_id: userId,
        kind: 'expire',
        payload: null,
        status: 'pending',
        open_key: userId,
        next_attempt_at: nowIso,
        lease_owner: null,
        lease_until: null,
        last_error: null,
        actor: null,
        actor_type: 'system',
        created_at: nowIso,
        updated_at: nowIso,
        done_at: null,
      });
      if (fresh) queued += 1;
    }
    return queued;
  }

  /** Tells the owner of each end of access coming within EXPIRY_NOTICE_DAYS, once per end date. */
  async function noticeExpiries(): Promise<void> {
    const now = deps.clock.now();
    const before = new Date(now.getTime() + EXPIRY_NOTICE_DAYS * 86_400_000).toISOString();
    for (const user of await deps.actions.dueExpiryNotices(now.toISOString(), before, batchSize)) {
      const expiresAt = user.expires_at!;
      const days = Math.max(1, Math.round((new Date(expiresAt).getTime() - now.getTime()) / 86_400_000));
      await deps.actions.recordExpiryNotice(user.id, expiresAt, newEvent('access.expiring', { userId: user.id, who: displayName(user), email: user.email, expiresAt, days }, now.toISOString()));
    }
  }

  /** Returns how many actions this pass carried out (done or failed for good). */
  return async function pass(): Promise<{ expired: number; ran: number }> {
    await noticeExpiries();
    const expired = await queueExpiries();
    const queue = await deps.actions.findDue(isoNow(deps.clock), batchSize);
    let ran = 0;
    const lanes = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const lease = deps.runner.newLease(deps.clock.now());
        if (!(await deps.actions.claim(id, lease.owner, lease.until, isoNow(deps.clock)))) continue;
        const outcome = await deps.runner.run(id, lease.owner).catch((error: unknown) => {
          deps.logger.error({ err: error, action: id }, 'a change to someone\'s access could not be recorded; its lease runs out and it is tried again');
          return 'lost' as const;
        });
        if (outcome === 'done' || outcome === 'failed') ran += 1;
      }
    });
    await Promise.all(lanes);
    return { expired, ran };
  };
}
