import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import { safeRedirectPath } from '../../security/safe-redirect.js';
import type { AdminsRepository } from '../admins/admins.repository.js';
import type { ApiKeysService, ApiKeyView } from '../api-keys/api-keys.service.js';
import type { AuditActor } from '../audit/audit.service.js';
import { roleAllows, type AdminRole } from '../admins/admin-roles.js';

export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
// Writing the session on every request is wasted work; a minute's precision is plenty.
const SEEN_PRECISION_MS = 60_000;

declare module 'fastify' {
  interface Session {
    username?: string;
    loginAt?: number;
    seenAt?: number;
    /** The browser and address at sign-in, for the admin's list of sessions (sessions.service.ts). */
    userAgent?: string;
    ip?: string;
  }
  interface FastifyRequest {
    admin?: { id: string; username: string; role: AdminRole };
    apiKey?: ApiKeyView;
  }
}

/** Starts a signed-in session under a NEW id, so a session id planted before login is worthless. */
export async function startAdminSession(request: FastifyRequest, admin: { id: string; username: string }, now: number): Promise<void> {
  // The new session's cookie keeps the old one's path (BASE_PATH's: plugins/session.ts).
  const cookiePath = request.session.cookie.path;
  await request.session.regenerate();
  request.session.cookie.path = cookiePath;
  request.session.adminId = admin.id;
  request.session.username = admin.username;
  request.session.loginAt = now;
  request.session.seenAt = now;
  request.session.userAgent = String(request.headers['user-agent'] ?? '').slice(0, 300);
  request.session.ip = request.ip;
}

/** Where to go after signing in: a page of the admin area, rebuilt so it is safe in a Location header. */
const safeNext = (value: unknown): string => safeRedirectPath(value, { fallback: '/admin', within: '/admin' });

/**
 * The one guard of every admin page, added as a hook to the admin route context: a live session
 * (30 minutes idle, 12 hours at most) of an admin who still exists.
 */
export function requireAdmin(deps: { admins: AdminsRepository; clock: Clock }) {
  return async function adminGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = request.session;
    const now = deps.clock.now().getTime();
    const live =
      session.adminId !== undefined &&
      now - (session.loginAt ?? 0) < SESSION_ABSOLUTE_MS &&
      now - (session.seenAt ?? 0) < SESSION_IDLE_MS;
    const admin = live ? await deps.admins.findById(session.adminId!) : undefined;
    if (!admin) {
      if (session.adminId !== undefined) await session.destroy();
      if (request.method === 'GET' || request.method === 'HEAD') {
        return reply.redirect(`/admin/login?next=${encodeURIComponent(safeNext(request.url))}`, 303);
      }
      throw new AppError('auth.required', 'Your session has ended. Sign in again.', { status: 401 });
    }
    request.admin = { id: admin.id, username: admin.username, role: admin.role };
    if (now - (session.seenAt ?? 0) > SEEN_PRECISION_MS) session.seenAt = now;
    if (!roleAllows(admin.role, request.method, request.routeOptions.url)) {
      throw new AppError('auth.viewer', 'Your admin account can look at everything here but not change it. Ask an owner to make the change (or to make you an owner).', { status: 403 });
    }
  };
}

/** The one guard of the JSON API: `Authorization: Bearer <key>` with a key that is not revoked. */
export function requireApiKey(deps: { apiKeys: ApiKeysService }) {
  return async function apiKeyGuard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const key = match ? await deps.apiKeys.verify(match[1]!) : undefined;
    if (!key) {
      reply.header('www-authenticate', 'Bearer');
      throw new AppError('auth.api_key_required', 'Send a valid API key as "Authorization: Bearer <key>".', { status: 401 });
    }
    request.apiKey = key;
  };
}

/** Who is acting, for the audit log. */
export function actorOf(request: FastifyRequest): AuditActor {
  if (request.admin) return { name: request.admin.username, type: 'admin', ip: request.ip };
  if (request.apiKey) return { name: `api key ${request.apiKey.name}`, type: 'api', ip: request.ip };
  return { name: null, type: 'anonymous', ip: request.ip };
}

export { safeNext };
