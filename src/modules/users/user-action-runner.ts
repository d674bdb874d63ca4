import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { isoNow, type Clock } from '../../clock.js';
import type { AuditLogTable, PlexUserState } from '../../db/schema.js';
import { isPlexError } from '../../plex/plex.errors.js';
import { storedPermissions } from '../access/access-terms.js';
import { newEvent } from '../notifications/notification-events.js';
import { createSendFailures, short } from '../invitations/send-failure.js';
import { givesUp, retryDelayMs, RETRY_POLICY } from '../invitations/retry-policy.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { displayName } from './users.models.js';
import type { UserActionRow, UserActionsRepository } from './user-actions.repository.js';
import type { NewPlexUserRow, PlexUserRow, UsersRepository } from './users.repository.js';

/** What one attempt came to: done (with what changed on the person), or failed for good, or to try again. */
type Attempt =
  | { status: 'done'; set: Partial<NewPlexUserRow>; details: Record<string, unknown> }
  | { status: 'failed'; error: string }
  | { status: 'retry'; kind: string; error: string; retryAfterSeconds?: number };

export const ACTION_AUDIT: Record<UserActionRow['kind'], string> = {
  remove: 'user.removed',
  expire: 'user.expired',
  libraries: 'user.libraries_set',
  resend: 'user.resent',
  restore: 'user.restored',
};

/**
 * Carries out one queued change to someone's access on plex.tv, under the action's lease, and
 * records the outcome with the person's new state and an audit entry in one transaction. Each step
 * can be run again safely: a removal of a share already gone counts as done, an invite to someone
 * already shared counts as shared.
 */
export function createUserActionRunner(deps: {
  actions: UserActionsRepository;
  users: UsersRepository;
  connection: PlexConnection;
  mapping: LibraryMapping;
  settings: SettingsService;
  onTokenRefused?: (token: string) => Promise<boolean>;
  clock: Clock;
  logger: Logger;
}) {
  const failures = createSendFailures({ onTokenRefused: deps.onTokenRefused });

  async function attempt(action: UserActionRow, user: PlexUserRow): Promise<Attempt> {
    const { token, serverId } = await deps.connection.state();
    if (!token || !serverId) return { status: 'retry', kind: 'not_connected', error: 'Helpr is not connected to a Plex server: finish the setup in the admin area.' };
    const client = await deps.connection.client();
    const who = user.email ?? user.username ?? '';
    const accountId = user.plex_account_id === null ? undefined : Number(user.plex_account_id);
    const nowIso = isoNow(deps.clock);
    const removeAll = async () => {
      const ids = await client.sharing.findSharedServerIds(token, serverId, who, accountId);
      for (const id of ids) await client.sharing.removeShare(token, id);
      return ids.length;
    };
    const invite = async (libraries: string[]) => {
      const settings = await deps.settings.get();
      const keys = libraries.length > 0 ? libraries : settings.libraries;
      const result = await deps.mapping.useLibraries(keys, (found) =>
        client.sharing.inviteFriend(token, { machineIdentifier: serverId, invitee: who, invitedId: accountId, librarySectionIds: found.map((library) => library.globalId), sharing: storedPermissions(user.permissions) ?? settings.sharing }),
      );
      return { result, keys };
    };
    try {
      switch (action.kind) {
        case 'remove':
        case 'expire': {
          const removed = await removeAll();
          const state: PlexUserState = action.kind === 'expire' ? 'expired' : 'removed';
          // share_id is kept: a sync that read the lists just before the removal must not take that share for a new one.
          return { status: 'done', set: { state, removed_at: nowIso, updated_at: nowIso }, details: { from: user.state, removedFromPlex: removed > 0 } };
        }
        case 'libraries': {
          const keys = (JSON.parse(action.payload ?? '{}') as { libraries?: string[] }).libraries ?? [];
          const updated = await deps.mapping.useLibraries(keys, (found) =>
            client.sharing.setLibraries(token, { machineIdentifier: serverId, invitee: who, invitedId: accountId, librarySectionIds: found.map((library) => library.globalId) }),
          );
          if (!updated) return { status: 'failed', error: 'Plex has no share or invite for this person any more, so there were no libraries to change. Sync to see their access now.' };
          return { status: 'done', set: { libraries: JSON.stringify(keys), all_libraries: 0, updated_at: nowIso }, details: { from: JSON.parse(user.libraries) as string[], to: keys } };
        }
        case 'resend': {
          await removeAll();
          const { result, keys } = await invite(JSON.parse(user.libraries) as string[]);
          const accepted = result.outcome === 'already_shared';
          return {
            status: 'done',
            set: { state: accepted ? 'active' : 'pending', share_id: result.outcome === 'sent' ? (result.shareId ?? null) : user.share_id, invited_at: nowIso, libraries: JSON.stringify(keys), updated_at: nowIso },
            details: { libraries: keys },
          };
        }
        case 'restore': {
          const wanted = (JSON.parse(action.payload ?? '{}') as { libraries?: string[] }).libraries ?? (JSON.parse(user.libraries) as string[]);
          const { result, keys } = await invite(wanted);
          // A restore starts a new period: the old end date is over.
          const set: Partial<NewPlexUserRow> = { removed_at: null, expires_at: null, libraries: JSON.stringify(keys), all_libraries: 0, invited_at: nowIso, updated_at: nowIso };
          if (result.outcome === 'sent') return { status: 'done', set: { ...set, state: 'pending', share_id: result.shareId ?? null }, details: { from: user.state, libraries: keys } };
          return { status: 'done', set: { ...set, state: 'active' }, details: { from: user.state, libraries: keys, alreadyShared: true } };
        }
      }
    } catch (error) {
      const outcome = await failures.outcomeOf(error, token, false);
      if (outcome.status === 'failed') return { status: 'failed', error: outcome.error };
      if (!isPlexError(error) && outcome.kind === 'internal') deps.logger.error({ err: error, action: action.id }, 'a change to someone\'s access failed unexpectedly; it is tried again');
      return { status: 'retry', kind: outcome.kind, error: outcome.error, retryAfterSeconds: outcome.retryAfterSeconds };
    }
  }

  return {
    newLease(now: Date) {
      return { owner: `act-${crypto.randomUUID()}`, until: new Date(now.getTime() + RETRY_POLICY.leaseMs).toISOString() };
    },

    /** One attempt at a claimed action. Returns what became of it. */
    async run(actionId: string, owner: string): Promise<'done' | 'failed' | 'retry' | 'lost'> {
      const action = await deps.actions.findById(actionId);
      const user = action ? await deps.users.findById(action.user_id) : undefined;
      if (!action || !user || action.lease_owner !== owner) return 'lost';
      const result = await attempt(action, user);
      const nowIso = isoNow(deps.clock);
      // Like an invite: retried for 24 hours, except while the owner's token is refused (they fix that by signing in).
      if (result.status === 'retry' && !givesUp(result.kind, action.created_at, deps.clock.now())) {
        const next = new Date(deps.clock.now().getTime() + retryDelayMs(action.attempts + 1, result.retryAfterSeconds)).toISOString();
        return (await deps.actions.retryLater(action.id, owner, next, short(result.error), nowIso)) ? 'retry' : 'lost';
      }
      const done = result.status === 'done';
      const audit: AuditLogTable = {
        id: crypto.randomUUID(),
        created_at: nowIso,
        actor: action.actor,
        actor_type: action.actor_type,
        action: done ? ACTION_AUDIT[action.kind] : 'user.action_failed',
        target: displayName(user),
        details: JSON.stringify(done ? { ...result.details, userId: user.id, action: action.id } : { kind: action.kind, error: result.error, userId: user.id, action: action.id }),
        ip: null,
      };
      // The owner hears of an ended access (notifications outbox), written with the change.
      const ended = done && (action.kind === 'expire' || action.kind === 'remove');
      const event = ended ? newEvent(action.kind === 'expire' ? 'access.expired' : 'access.removed', { userId: user.id, who: displayName(user), email: user.email, by: action.actor }, nowIso) : undefined;
      const finished = await deps.actions.finish(action.id, owner, {
        status: done ? 'done' : 'failed',
        error: done ? null : short(result.error),
        nowIso,
        user: done ? { id: user.id, set: result.set } : undefined,
        audit,
        event,
      });
      return finished ? (done ? 'done' : 'failed') : 'lost';
    },
  };
}

export type UserActionRunner = ReturnType<typeof createUserActionRunner>;
