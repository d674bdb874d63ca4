import crypto from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import { createJobLeasesRepository } from '../jobs/job-leases.repository.js';
import { newEvent } from './notification-events.js';
import { createNotificationsRepository } from './notifications.repository.js';

/** Plex failing this long (no answer, or 5xx) is an outage the owner hears of; shorter blips are not. */
export const PLEX_OUTAGE_MINUTES = 10;
/** The failures must still be going on: the latest no older than this (a blip long ago is no outage now). */
const RECENT_MS = 5 * 60_000;
const LEASE = 'plex.outage';
// The outage flag outlives a crashed instance for at most this long.
const FLAG_DAYS = 30;

/**
 * Watches every Plex call's outcome (plex-http.ts `observe`) and tells the owner once when Plex has
 * failed for PLEX_OUTAGE_MINUTES (failures from the first to the latest spanning that long, the
 * latest recent: one blip, or one old failure with no call since, is no outage) with
 * `plex.unreachable`, and once when it answers again (`plex.recovered`). Several instances share
 * one flag in `job_leases`, raised and lowered with one conditional statement each and written with
 * the event; only an answer seen after the flag was raised lowers it: one message per outage.
 */
export function createPlexOutage(deps: { db: Db; clock: Clock; thresholdMinutes?: number }) {
  const owner = `outage-${crypto.randomUUID()}`;
  const thresholdMs = (deps.thresholdMinutes ?? PLEX_OUTAGE_MINUTES) * 60_000;
  let failingSince: Date | undefined;
  let lastFailure: Date | undefined;
  let lastReason = '';
  let lastAnswer: Date | undefined;

  return {
    /** One Plex call's outcome: answered (any status under 500), or not (network, timeout, 5xx). */
    observe(answered: boolean, reason = ''): void {
      const now = deps.clock.now();
      if (answered) {
        failingSince = undefined;
        lastAnswer = now;
        return;
      }
      failingSince ??= now;
      lastFailure = now;
      lastReason = reason;
    },

    /** Run with the outbox worker: raises or lowers the outage flag, with its event, when it is time. */
    async check(): Promise<'unreachable' | 'recovered' | undefined> {
      const now = deps.clock.now();
      const nowIso = now.toISOString();
      const outage = failingSince && lastFailure && lastFailure.getTime() - failingSince.getTime() >= thresholdMs && now.getTime() - lastFailure.getTime() <= RECENT_MS;
      if (outage) {
        const since = failingSince!.toISOString();
        const raised = await deps.db.transaction().execute(async (trx) => {
          const leases = createJobLeasesRepository(trx);
          const until = new Date(now.getTime() + FLAG_DAYS * 86_400_000).toISOString();
          // Taken only when nobody holds it (or it is this instance's already: then nothing new to say).
          if (await leases.isHeld(LEASE, nowIso)) return false;
          if (!(await leases.claim({ name: LEASE, owner, nowIso, untilIso: until }))) return false;
          await createNotificationsRepository(trx).addEvent(newEvent('plex.unreachable', { since, minutes: Math.round((now.getTime() - failingSince!.getTime()) / 60_000), reason: lastReason }, nowIso));
          return true;
        });
        return raised ? 'unreachable' : undefined;
      }
      if (lastAnswer && !failingSince) {
        const answeredIso = lastAnswer.toISOString();
        const lowered = await deps.db.transaction().execute(async (trx) => {
          if (!(await createJobLeasesRepository(trx).endAny(LEASE, nowIso, answeredIso))) return false;
          await createNotificationsRepository(trx).addEvent(newEvent('plex.recovered', { at: answeredIso }, nowIso));
          return true;
        });
        return lowered ? 'recovered' : undefined;
      }
      return undefined;
    },
  };
}

export type PlexOutage = ReturnType<typeof createPlexOutage>;
