import crypto from 'node:crypto';
import { isoNow, type Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { AuditActor, AuditService } from '../audit/audit.service.js';
import { describeDevice } from './device-name.js';
import type { SessionsRepository } from './sessions.repository.js';

export interface SessionView {
  /** Stands for the session in pages and forms: a session's id is its secret and never leaves the server. */
  ref: string;
  device: string;
  ip: string | null;
  signedInAt: string | null;
  lastSeenAt: string | null;
  current: boolean;
}

const refOf = (sessionId: string): string => crypto.createHash('sha256').update(sessionId).digest('base64url').slice(0, 16);
const at = (ms: unknown): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/** An admin's own signed-in sessions (issue 17): where and when, and signing one or all the others out. */
export function createSessionsService(deps: { sessions: SessionsRepository; audit: AuditService; clock: Clock }) {
  async function live(adminId: string) {
    return deps.sessions.liveForAdmin(adminId, isoNow(deps.clock));
  }

  return {
    /** The admin's live sessions, this one first, then the most recently seen. */
    async list(adminId: string, currentSessionId: string): Promise<SessionView[]> {
      const views = (await live(adminId)).map((row) => {
        const data = JSON.parse(row.data) as { userAgent?: string; ip?: string; loginAt?: number; seenAt?: number };
        return { ref: refOf(row.id), device: describeDevice(data.userAgent), ip: data.ip ?? null, signedInAt: at(data.loginAt), lastSeenAt: at(data.seenAt), current: row.id === currentSessionId };
      });
      return views.sort((a, b) => Number(b.current) - Number(a.current) || (b.lastSeenAt ?? '').localeCompare(a.lastSeenAt ?? ''));
    },

    /** Signs one of the admin's other sessions out; their own current one is left to "Sign out". */
    async revoke(adminId: string, ref: string, currentSessionId: string, actor: AuditActor): Promise<void> {
      const row = (await live(adminId)).find((session) => refOf(session.id) === ref);
      if (!row) throw new AppError('session.not_found', 'That session has ended already.', { status: 404 });
      if (row.id === currentSessionId) throw new AppError('session.current', 'This is the session you are using: use Sign out.', { status: 409 });
      await deps.sessions.delete(row.id);
      await deps.audit.record(actor, 'session.revoke', null, { sessions: 1 });
    },

    /** Signs every other session of the admin out; answers how many ended. */
    async revokeOthers(adminId: string, currentSessionId: string, actor: AuditActor): Promise<number> {
      const ended = await deps.sessions.deleteForAdmin(adminId, currentSessionId);
      await deps.audit.record(actor, 'session.revoke', null, { sessions: ended });
      return ended;
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
