import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { DeliverableInvitation, InvitationDelivery } from './invitation-delivery.js';
import type { InvitationResult, InvitationsRepository } from './invitations.repository.js';

interface Send {
  id: string;
  leaseOwner: string;
  done: Promise<unknown>;
  /** Lets the caller go on as if the outcome could not be recorded. */
  release: () => void;
}

/**
 * Knows every send under way, wherever it started: the retry worker's, an owner's "retry", and the
 * friends' requests that answered "pending" after their wait and go on in the background (which
 * nobody else waits for). When Helpr stops, drain() lets them finish up to a bound, then gives their
 * leases back, marked unconfirmed as they may have reached Plex, so another instance (or the next
 * start) sends them at once, after looking for the share, instead of after the lease runs out.
 * Sends asked for after that give their lease back without sending: the database is about to close.
 */
export function trackSends(delivery: InvitationDelivery, deps: { invitations: InvitationsRepository; clock: Clock; logger: Logger }) {
  const sends = new Set<Send>();
  let closed = false;
  const now = () => deps.clock.now().toISOString();

  return {
    ...delivery,

    async deliver(invitation: DeliverableInvitation, leaseOwner: string): Promise<InvitationResult | undefined> {
      if (closed) {
        await deps.invitations.release(invitation.id, leaseOwner, now()).catch(() => false);
        return undefined;
      }
      let release!: () => void;
      const released = new Promise<undefined>((resolve) => (release = () => resolve(undefined)));
      const done = delivery.deliver(invitation, leaseOwner);
      const send: Send = { id: invitation.id, leaseOwner, done, release };
      sends.add(send);
      void done.finally(() => sends.delete(send)).catch(() => undefined);
      return Promise.race([done, released]);
    },

    /** How many sends are under way. */
    inFlight: () => sends.size,

    /**
     * Waits up to `waitMs` for the sends under way, and for `others` (requests that may still start
     * one), then gives back the sends still running. Returns how many were given back.
     */
    async drain(waitMs: number, others: Promise<unknown> = Promise.resolve()): Promise<number> {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'deadline'>((resolve) => (timer = setTimeout(resolve, waitMs, 'deadline')));
      const othersDone = others.then(
        () => 'done' as const,
        () => 'done' as const,
      );
      try {
        for (;;) {
          const all = Promise.allSettled([othersDone, ...[...sends].map((send) => send.done)]).then(() => 'done' as const);
          if ((await Promise.race([all, deadline])) === 'deadline' || sends.size === 0) break;
        }
      } finally {
        clearTimeout(timer);
      }
      closed = true;
      const left = [...sends];
      await Promise.all(
        left.map(async (send) => {
          const given = await deps.invitations.abandon(send.id, send.leaseOwner, now()).catch(() => false);
          deps.logger.warn({ invitation: send.id, given }, 'stopping with an invite being sent: the request is given back, to be sent again after checking plex.tv');
          send.release();
        }),
      );
      return left.length;
    },
  };
}

export type TrackedDelivery = ReturnType<typeof trackSends>;
