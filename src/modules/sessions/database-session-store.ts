import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import type { Clock } from '../../clock.js';
import type { SessionsRepository } from './sessions.repository.js';

/**
 * @fastify/session store backed by the sessions table, so sessions are revocable and shared by
 * every instance. `adminId` is copied into its own column to end an admin's sessions in one query.
 */
export class DatabaseSessionStore implements SessionStore {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly clock: Clock,
    private readonly fallbackMaxAgeMs: number,
  ) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    const now = this.clock.now();
    const cookieExpiry = session.cookie?.expires ? new Date(session.cookie.expires) : undefined;
    const expires = cookieExpiry ?? new Date(now.getTime() + this.fallbackMaxAgeMs);
    const adminId = (session as { adminId?: string }).adminId ?? null;
    this.sessions
      .upsert({
        id: sessionId,
        admin_id: adminId,
        data: JSON.stringify(session),
        created_at: now.toISOString(),
        expires_at: expires.toISOString(),
      })
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    this.sessions
      .findLive(sessionId, this.clock.now().toISOString())
      .then((row) => callback(null, row ? (JSON.parse(row.data) as Session) : null), (error) => callback(error));
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    this.sessions.delete(sessionId).then(() => callback(), callback);
  }
}
