import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { AuditLogTable } from '../../db/schema.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { JobLeasesRepository } from '../jobs/job-leases.repository.js';
import { newEvent } from '../notifications/notification-events.js';
import type { NotificationsRepository } from '../notifications/notifications.repository.js';
import { peopleOnServer } from './plex-people.js';
import { reconcile } from './users-reconcile.js';
import type { UsersRepository } from './users.repository.js';

export const SYNC_LEASE = 'users.sync';
export const SYNC_STATUS_KEY = 'users.sync';
/** A sync that takes longer than this is taken as dead and another instance may start one. */
export const SYNC_LEASE_MS = 5 * 60_000;

/** Why a sync changed nothing: Helpr is not connected, plex.tv failed, or it listed nobody while Helpr knows people with access. */
export type SyncWarningKind = 'not_connected' | 'failed' | 'empty';

export interface SyncStatus {
  /** When the last sync started (any outcome). */
  lastRunAt: string;
  /** When plex.tv's lists were last read and applied. */
  lastSuccessAt: string | null;
  /** Set while the last sync changed nothing because of it; cleared by the next sync that worked. */
  warning: { kind: SyncWarningKind; message: string; at: string } | null;
  /** What the last sync that worked changed. */
  changed: { found: number; accepted: number; removed: number; libraries: number; back: number } | null;
}

export type SyncOutcome = { outcome: 'synced' | 'warning'; status: SyncStatus } | { outcome: 'busy'; status: SyncStatus | undefined };

const WARNINGS: Record<SyncWarningKind, (detail: string) => string> = {
  not_connected: () => 'Helpr is not connected to a Plex server, so it cannot read who has access. Finish the Plex connection in Settings.',
  failed: (detail) => `Plex could not be asked who has access (${detail}). Nothing was changed; Helpr tries again at the next sync.`,
  empty: (detail) =>
    `Plex answered that nobody has access or an invite, while Helpr knows ${detail}. Nothing was changed: an empty answer is more likely a Plex hiccup than everyone leaving at once. If people really were removed, the next syncs will keep saying so; remove them here to confirm.`,
};

/**
 * Reads who has access from plex.tv (two requests: the accepted shares and the pending invites,
 * whatever the number of people) and brings Helpr's users up to date, every change in the audit
 * log. A failed read, or an empty list while Helpr knows people with access, changes nothing and
 * leaves a warning the users page shows. One sync at a time over all instances (a lease).
 */
export function createUsersSync(deps: {
  users: UsersRepository;
  leases: JobLeasesRepository;
  settings: SettingsRepository;
  /** The notifications outbox, for a warning that goes with no other write. */
  events: Pick<NotificationsRepository, 'addEvent'>;
  connection: PlexConnection;
  onTokenRefused?: (token: string) => Promise<unknown>;
  clock: Clock;
  logger: Logger;
  /** Waits between looks at another instance's sync (tests pass one that returns at once). */
  sleep?: (ms: number) => Promise<void>;
}) {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const status = () => deps.settings.get<SyncStatus>(SYNC_STATUS_KEY);

  async function warn(kind: SyncWarningKind, detail: string, startedAt: string, previous: SyncStatus | undefined): Promise<SyncStatus> {
    const next: SyncStatus = {
      lastRunAt: startedAt,
      lastSuccessAt: previous?.lastSuccessAt ?? null,
      // The first time of a warning that goes on is kept: it says since when.
      warning: { kind, message: WARNINGS[kind](detail), at: previous?.warning?.kind === kind ? previous.warning.at : startedAt },
      changed: previous?.changed ?? null,
    };
    await deps.settings.set(SYNC_STATUS_KEY, next, isoNow(deps.clock));
    deps.logger.warn({ kind }, 'users sync changed nothing');
    // The owner hears of a warning when it starts (not again at each sync while it goes on).
    if (previous?.warning?.kind !== kind) await deps.events.addEvent(newEvent('sync.warning', { kind, message: next.warning!.message }, startedAt));
    return next;
  }

  async function syncHeld(startedAt: string): Promise<SyncOutcome> {
    const previous = await status();
    const { token, serverId } = await deps.connection.state();
    if (!token || !serverId) return { outcome: 'warning', status: await warn('not_connected', '', startedAt, previous) };
    let accepted, pending;
    try {
      const sharing = (await deps.connection.client()).sharing;
      [accepted, pending] = await Promise.all([sharing.listAcceptedShares(token, serverId), sharing.listPendingInvites(token, serverId)]);
    } catch (error) {
      if (isPlexError(error) && error.kind === 'invalid_token') await deps.onTokenRefused?.(token).catch(() => undefined);
      const detail = isPlexError(error) ? error.message : 'an unexpected error';
      if (!isPlexError(error)) deps.logger.error({ err: error }, 'users sync failed');
      return { outcome: 'warning', status: await warn('failed', detail, startedAt, previous) };
    }
    const seen = peopleOnServer(accepted, pending, serverId);
    const local = await deps.users.all();
    const withAccess = local.filter((row) => row.state === 'active' || row.state === 'pending').length;
    if (seen.length === 0 && withAccess > 0) {
      return { outcome: 'warning', status: await warn('empty', withAccess === 1 ? '1 person with access' : `${withAccess} people with access`, startedAt, previous) };
    }
    const nowIso = isoNow(deps.clock);
    const result = reconcile(local, seen, await deps.users.requestLinks(), nowIso);
    const audit: AuditLogTable[] = result.changes.map((change) => ({
      id: crypto.randomUUID(),
      created_at: nowIso,
      actor: null,
      actor_type: 'system',
      action: change.action,
      target: change.name,
      details: JSON.stringify({ ...change.details, userId: change.userId }),
      ip: null,
    }));
    // What the owner hears of (notifications outbox): an invite accepted, access removed in Plex.
    const emails = new Map(local.map((row) => [row.id, row.email]));
    const emailOf = (userId: string) => emails.get(userId) ?? null;
    const events = result.changes.flatMap((change) =>
      change.action === 'user.accepted' && change.details.joinedWithPlex !== true
        ? [newEvent('invitation.accepted', { userId: change.userId, who: change.name, email: emailOf(change.userId), via: 'email' }, nowIso)]
        : change.action === 'user.removed_in_plex'
          ? [newEvent('access.removed', { userId: change.userId, who: change.name, email: emailOf(change.userId), inPlex: true }, nowIso)]
          : [],
    );
    await deps.users.applySync({ ...result, audit, events }, nowIso);
    const count = (action: string) => result.changes.filter((change) => change.action === action).length;
    const next: SyncStatus = {
      lastRunAt: startedAt,
      lastSuccessAt: nowIso,
      warning: null,
      changed: { found: count('user.found'), accepted: count('user.accepted'), removed: count('user.removed_in_plex'), libraries: count('user.libraries_changed'), back: count('user.shared_in_plex') },
    };
    await deps.settings.set(SYNC_STATUS_KEY, next, nowIso);
    return { outcome: 'synced', status: next };
  }

  let current: Promise<SyncOutcome> | undefined;

  async function run(options: { ifOlderThanMs?: number } = {}): Promise<SyncOutcome> {
    const now = deps.clock.now();
    const owner = `sync-${crypto.randomUUID()}`;
    const claimed = await deps.leases.claim({
      name: SYNC_LEASE,
      owner,
      nowIso: now.toISOString(),
      untilIso: new Date(now.getTime() + SYNC_LEASE_MS).toISOString(),
      startedBeforeIso: options.ifOlderThanMs === undefined ? undefined : new Date(now.getTime() - options.ifOlderThanMs + 1).toISOString(),
    });
    if (!claimed) return { outcome: 'busy', status: await status() };
    try {
      return await syncHeld(now.toISOString());
    } finally {
      await deps.leases.release(SYNC_LEASE, owner, isoNow(deps.clock)).catch((error: unknown) => deps.logger.warn({ err: error }, 'could not release the users sync lease'));
    }
  }

  return {
    status,
    /**
     * One sync, if no other instance runs one. `ifOlderThanMs`: only when the last one started at
     * least that long ago (the schedule: several instances then sync once per interval together).
     */
    run,

    /**
     * A sync now, for the owner's "Sync now" and the API: when another instance is syncing at this
     * moment, waits for it (up to `waitMs`) and answers with its outcome instead of starting another.
     */
    async runNow(waitMs = 15_000): Promise<SyncOutcome> {
      // A sync of this process under way (a double click, two API calls): its outcome is the answer.
      if (current) return current;
      const first = await (current = run().finally(() => (current = undefined)));
      if (first.outcome !== 'busy') return first;
      for (let waited = 0; waited < waitMs; waited += 250) {
        await sleep(250);
        if (!(await deps.leases.isHeld(SYNC_LEASE, isoNow(deps.clock)))) break;
      }
      const latest = await status();
      return latest ? { outcome: latest.warning ? 'warning' : 'synced', status: latest } : { outcome: 'busy', status: undefined };
    },
  };
}

export type UsersSync = ReturnType<typeof createUsersSync>;
