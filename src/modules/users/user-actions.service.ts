import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { UserActionKind } from '../../db/schema.js';
import { AppError } from '../../errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { checkLibraryKeys } from '../invitations/admin-invitations.service.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import { displayName, toUserView, type UserView } from './users.models.js';
import type { UserActionRow, UserActionsRepository } from './user-actions.repository.js';
import type { UserActionRunner } from './user-action-runner.js';
import type { PlexUserRow, UsersRepository } from './users.repository.js';

/** Which states each action applies to. */
const ALLOWED: Record<Exclude<UserActionKind, 'expire'>, ReadonlyArray<PlexUserRow['state']>> = {
  remove: ['active', 'pending'],
  libraries: ['active', 'pending'],
  resend: ['pending'],
  restore: ['expired', 'removed'],
};

const NOT_NOW: Record<Exclude<UserActionKind, 'expire'>, string> = {
  remove: 'has no access or invite to remove',
  libraries: 'has no access or invite whose libraries could change',
  resend: 'has no invite waiting to be accepted',
  restore: 'still has access or an invite: there is nothing to give back',
};

export interface ActionView {
  id: string;
  kind: UserActionKind;
  status: 'pending' | 'done' | 'failed';
  attempts: number;
  error: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  doneAt: string | null;
  actor: string | null;
}

export const toActionView = (row: UserActionRow): ActionView => ({
  id: row.id,
  kind: row.kind,
  status: row.status,
  attempts: row.attempts,
  error: row.last_error,
  nextAttemptAt: row.status === 'pending' ? row.next_attempt_at : null,
  createdAt: row.created_at,
  doneAt: row.done_at,
  actor: row.actor,
});

export interface ActionResult {
  action: ActionView;
  user: UserView;
}

/** Bulk actions: how many were changed (removals: queued), and who was left out and why. */
export interface BulkResult {
  changed: number;
  skipped: Array<{ id: string; name: string; reason: string }>;
}

export const ANSWER_WITHIN_MS = 5000;
const MAX_EXTEND_DAYS = 3650;
const DAY_MS = 86_400_000;

/**
 * The owner's changes to someone's access: each queued as a durable action (one open per person),
 * tried at once, and retried by the worker when Plex is slow or away. Expiry dates are written at
 * once (no Plex call: the expiry job removes the share when the date comes).
 */
export function createUserActions(deps: {
  users: UsersRepository;
  actions: UserActionsRepository;
  runner: UserActionRunner;
  mapping: LibraryMapping;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  /** How long the owner's page waits for Plex before saying the change is under way. */
  answerWithinMs?: number;
}) {
  async function userOf(id: string): Promise<PlexUserRow> {
    const user = id.length <= 64 ? await deps.users.findById(id) : undefined;
    if (!user) throw new AppError('user.not_found', 'There is nobody with this id in the users list.', { status: 404 });
    return user;
  }

  async function enqueue(user: PlexUserRow, kind: UserActionKind, payload: Record<string, unknown> | null, actor: AuditActor): Promise<UserActionRow> {
    const nowIso = isoNow(deps.clock);
    const row = {
      id: crypto.randomUUID(),
      user_id: user.id,
      kind,
      payload: payload ? JSON.stringify(payload) : null,
      status: 'pending' as const,
      open_key: user.id,
      next_attempt_at: nowIso,
      lease_owner: null,
      lease_until: null,
      last_error: null,
      actor: actor.name,
      actor_type: actor.type,
      created_at: nowIso,
      updated_at: nowIso,
      done_at: null,
    };
    if (!(await deps.actions.enqueue(row))) {
      throw new AppError('user.action_open', `A change to ${displayName(user)}'s access is still under way. Wait for it to finish (the page shows it), then try again.`, { status: 409 });
    }
    return (await deps.actions.findById(row.id))!;
  }

  /**
   * Runs a queued action now, unless the worker took it first; either way it is carried out once.
   * The owner waits at most ANSWER_WITHIN_MS: past that (Plex slow) the page says it is under way
   * while the attempt goes on in the background.
   */
  async function runNow(action: UserActionRow): Promise<void> {
    const lease = deps.runner.newLease(deps.clock.now());
    if (!(await deps.actions.claim(action.id, lease.owner, lease.until, isoNow(deps.clock)))) return;
    const attempt = deps.runner.run(action.id, lease.owner).catch((error: unknown) => {
      deps.logger.error({ err: error, action: action.id }, "a change to someone's access could not be recorded; its lease runs out and it is tried again");
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, deps.answerWithinMs ?? ANSWER_WITHIN_MS)));
    await Promise.race([attempt, late]).finally(() => clearTimeout(timer));
  }

  async function result(actionId: string, userId: string): Promise<ActionResult> {
    const [action, user] = await Promise.all([deps.actions.findById(actionId), deps.users.findById(userId)]);
    return { action: toActionView(action!), user: toUserView(user!, deps.clock.now()) };
  }

  async function request(id: string, kind: Exclude<UserActionKind, 'expire'>, actor: AuditActor, payload: Record<string, unknown> | null = null): Promise<ActionResult> {
    const user = await userOf(id);
    if (!ALLOWED[kind].includes(user.state)) {
      throw new AppError('user.action_not_now', `${displayName(user)} ${NOT_NOW[kind]} (${user.state}). Nothing was changed.`, { status: 409 });
    }
    const action = await enqueue(user, kind, payload, actor);
    await runNow(action);
    return result(action.id, user.id);
  }

  function expiryFrom(value: string | null): string | null {
    if (value === null) return null;
    const at = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(at)) {
      throw new AppError('user.invalid_expiry', 'Give the end of access as a date and time like 2026-12-24T18:00:00Z.', { fields: { expiresAt: 'Use a date and time like 2026-12-24T18:00:00Z.' } });
    }
    if (at <= deps.clock.now().getTime()) {
      throw new AppError('user.expiry_past', 'The end of access must be in the future; to end it now, remove the access.', { fields: { expiresAt: 'Choose a moment in the future.' } });
    }
    return new Date(at).toISOString();
  }

  return {
    async get(id: string): Promise<{ user: UserView; open: ActionView | undefined; recent: ActionView[] }> {
      const user = await userOf(id);
      const [open, recent] = await Promise.all([deps.actions.openFor(id), deps.actions.recentFor(id)]);
      return { user: toUserView(user, deps.clock.now()), open: open ? toActionView(open) : undefined, recent: recent.map(toActionView) };
    },

    remove: (id: string, actor: AuditActor) => request(id, 'remove', actor),
    resend: (id: string, actor: AuditActor) => request(id, 'resend', actor),
    restore: (id: string, actor: AuditActor) => request(id, 'restore', actor),

    async setLibraries(id: string, keys: string[], actor: AuditActor): Promise<ActionResult> {
      await userOf(id);
      return request(id, 'libraries', actor, { libraries: await checkLibraryKeys(deps.mapping, keys) });
    },

    /** Sets or clears (null) when someone's access ends; the expiry job removes it then. */
    async setExpiry(id: string, value: string | null, actor: AuditActor): Promise<UserView> {
      const user = await userOf(id);
      if (user.state !== 'active' && user.state !== 'pending') {
        throw new AppError('user.action_not_now', `${displayName(user)} has no access whose end could be set (${user.state}). Give it back first.`, { status: 409 });
      }
      const expiresAt = expiryFrom(value);
      await deps.users.setExpiry(id, expiresAt, isoNow(deps.clock));
      await deps.audit.record(actor, 'user.expiry_set', displayName(user), { userId: id, from: user.expires_at, to: expiresAt });
      return toUserView((await deps.users.findById(id))!, deps.clock.now());
    },

    /** Removes the access of each person given; those who cannot be (no access, a change under way) are listed. */
    async bulkRemove(ids: string[], actor: AuditActor): Promise<BulkResult> {
      const outcome: BulkResult = { changed: 0, skipped: [] };
      for (const id of [...new Set(ids)]) {
        const user = await deps.users.findById(id);
        if (!user) continue;
        if (!ALLOWED.remove.includes(user.state)) {
          outcome.skipped.push({ id, name: displayName(user), reason: NOT_NOW.remove });
          continue;
        }
        try {
          await enqueue(user, 'remove', null, actor);
          outcome.changed += 1;
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          outcome.skipped.push({ id, name: displayName(user), reason: 'a change to their access is still under way' });
        }
      }
      return outcome;
    },

    /** Moves the end of access `days` later for each person with an end date (from now when it has passed); those without one are listed. */
    async bulkExtend(ids: string[], days: number, actor: AuditActor): Promise<BulkResult> {
      if (!Number.isInteger(days) || days < 1 || days > MAX_EXTEND_DAYS) {
        throw new AppError('user.invalid_days', `Extend by a whole number of days from 1 to ${MAX_EXTEND_DAYS}.`, { fields: { days: `A whole number from 1 to ${MAX_EXTEND_DAYS}.` } });
      }
      const outcome: BulkResult = { changed: 0, skipped: [] };
      const now = deps.clock.now();
      for (const id of [...new Set(ids)]) {
        const user = await deps.users.findById(id);
        if (!user) continue;
        if ((user.state !== 'active' && user.state !== 'pending') || user.expires_at === null) {
          outcome.skipped.push({ id, name: displayName(user), reason: user.expires_at === null ? 'their access never ends' : `no access to extend (${user.state})` });
          continue;
        }
        const from = Math.max(Date.parse(user.expires_at), now.getTime());
        const to = new Date(from + days * DAY_MS).toISOString();
        await deps.users.setExpiry(id, to, now.toISOString());
        await deps.audit.record(actor, 'user.expiry_set', displayName(user), { userId: id, from: user.expires_at, to });
        outcome.changed += 1;
      }
      return outcome;
    },
  };
}

export type UserActions = ReturnType<typeof createUserActions>;
