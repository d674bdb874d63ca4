import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import type { InvitationsRepository } from './invitations.repository.js';

export interface RetryWorkerOptions {
  intervalMs?: number;
  batchSize?: number;
  concurrency?: number;
}

/**
 * Sends waiting invitations in the background of the app process. Each due row is claimed with a
 * conditional update (a lease), so several instances never send one invitation twice, and a send
 * cut off by a crash is taken up once its lease runs out. On stop, sends already under way finish;
 * nothing new is claimed, and a lease taken but not yet used is given back.
 */
export function createRetryWorker(
  deps: {
    invitations: InvitationsRepository;
    delivery: InvitationDelivery;
    clock: Clock;
    logger: Logger;
    /** Deletes the friends' tokens whose join ended but were left over (friend-tokens.ts); how many. */
    sweepTokens?: () => Promise<number>;
  },
  options: RetryWorkerOptions = {},
) {
  const intervalMs = options.intervalMs ?? 5000;
  const batchSize = options.batchSize ?? 50;
  const concurrency = options.concurrency ?? 8;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;
  // Set by stop(), cleared by start(): passes in progress (scheduled or called directly) see it.
  let stopRequested = false;
  const passes = new Set<Promise<number>>();

  /** One pass: claim what is due and send it. Returns how many this worker sent. */
  async function pass(): Promise<number> {
    // Every end of a join deletes its token in the same transaction; this catches any other way out.
    // Stryker disable next-line BlockStatement: without its body the catch still keeps the pass going (undefined counts as 0); only the warning goes
    const swept = await deps.sweepTokens?.().catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'could not sweep the friends\' tokens; the next pass tries again');
      return 0;
    });
    // Stryker disable next-line ConditionalExpression: only whether a log line is written
    if (swept) deps.logger.info({ swept }, "deleted friends' tokens left after their join ended");
    const now = deps.clock.now();
    const due = await deps.invitations.findDue(now.toISOString(), batchSize);
    let sent = 0;
    const queue = [...due];
    const lanes = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let id = queue.shift(); id !== undefined && !stopRequested; id = queue.shift()) {
        const lease = deps.delivery.newLease(deps.clock.now());
        if (!(await deps.invitations.claim(id, lease.owner, lease.until, deps.clock.now().toISOString()))) continue;
        const invitation = await deps.invitations.findById(id);
        if (!invitation) continue;
        if (stopRequested) {
          // Stopping between claim and send: without this, the invitation would wait out the lease.
          await deps.invitations.release(id, lease.owner, deps.clock.now().toISOString());
          break;
        }
        await deps.delivery.deliver(invitation, lease.owner);
        sent += 1;
      }
    });
    await Promise.all(lanes);
    return sent;
  }

  function runOnce(): Promise<number> {
    const current = pass();
    passes.add(current);
    // Stryker disable next-line ArrowFunction: forgetting a settled pass only frees memory; stop() waits on it at once
    void current.finally(() => passes.delete(current)).catch(() => undefined);
    return current;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().catch((error: unknown) => {
        deps.logger.error({ err: error }, 'retry worker pass failed');
        return 0;
      });
      void running.finally(() => {
        running = undefined;
        schedule();
      });
    }, intervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start(): void {
      if (!stopped) return;
      stopped = false;
      stopRequested = false;
      schedule();
    },
    /** Stops scheduling and claiming, and waits for the sends under way to finish. */
    async stop(): Promise<void> {
      stopped = true;
      stopRequested = true;
      // Stryker disable next-line ConditionalExpression: clearTimeout(undefined) does nothing
      if (timer) clearTimeout(timer);
      await Promise.allSettled([running, ...passes]);
    },
  };
}

export type RetryWorker = ReturnType<typeof createRetryWorker>;
