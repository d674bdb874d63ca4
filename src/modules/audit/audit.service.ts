import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import type { AuditRepository, AuditRow } from './audit.repository.js';

export type AuditAction =
  | 'login.success'
  | 'login.failure'
  | 'logout'
  | 'password.change'
  | 'settings.update'
  | 'libraries.update'
  | 'plex.connect'
  | 'code.create'
  | 'code.revoke'
  | 'invitation.create'
  | 'invitation.retry'
  | 'invitation.retry_failed'
  | 'invitation.approve'
  | 'invitation.decline'
  | 'access.revoke'
  // Written by the users sync (users-sync.ts) in its own transaction, as system entries.
  | 'user.found'
  | 'user.accepted'
  | 'user.removed_in_plex'
  | 'user.shared_in_plex'
  | 'user.libraries_changed'
  // The owner's changes (user-actions.service.ts); the Plex side is written by user-action-runner.ts.
  | 'user.expiry_set'
  // Notification channels (notifications.service.ts).
  | 'notifications.channel_create'
  | 'notifications.channel_update'
  | 'notifications.channel_delete'
  | 'notifications.resend'
  | 'apikey.create'
  | 'apikey.revoke'
  | 'setup.admin'
  | 'setup.complete'
  // Admins and their roles (admins.service.ts), from the admin area or the command line.
  | 'admin.create'
  | 'admin.role_change'
  | 'admin.remove'
  | 'admin.password_reset'
  | 'admin.invite_create'
  | 'admin.invite_revoke'
  | 'session.revoke';

export interface AuditActor {
  /** Admin username, API key name, or null for an anonymous attempt. */
  name: string | null;
  /** cli: someone with shell access running `helpr admin ...` (name: the system user). */
  type: 'admin' | 'api' | 'system' | 'anonymous' | 'cli';
  ip: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  actorType: string;
  action: string;
  target: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.created_at,
  actor: row.actor,
  actorType: row.actor_type,
  action: row.action,
  target: row.target,
  details: row.details ? (JSON.parse(row.details) as Record<string, unknown>) : null,
  ip: row.ip,
});

/** Who did what, from which address, when. Details never hold secrets (callers pass only safe fields). */
export function createAuditService(deps: { audit: AuditRepository; clock: Clock }) {
  return {
    async record(actor: AuditActor, action: AuditAction, target?: string | null, details?: Record<string, unknown>): Promise<void> {
      await deps.audit.insert({
        id: crypto.randomUUID(),
        created_at: isoNow(deps.clock),
        actor: actor.name,
        actor_type: actor.type,
        action,
        target: target ?? null,
        details: details ? JSON.stringify(details) : null,
        ip: actor.ip,
      });
    },

    async list(options: { page: number; perPage: number; action?: string }): Promise<{ entries: AuditEntry[]; total: number }> {
      const [rows, total] = await Promise.all([
        deps.audit.list({ limit: options.perPage, offset: (options.page - 1) * options.perPage, action: options.action }),
        deps.audit.count(options.action),
      ]);
      return { entries: rows.map(toEntry), total };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
