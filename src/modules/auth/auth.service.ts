import { AppError } from '../../errors.js';
import { rateLimitedError } from '../../plugins/rate-limit.js';
import type { CounterStore } from '../../rate-limit/counter-store.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../security/password.js';
import type { Clock } from '../../clock.js';
import { isoNow } from '../../clock.js';
import type { AdminRow, AdminsRepository } from '../admins/admins.repository.js';
import { normalizeUsername } from '../admins/admins.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';

export const LOGIN_LIMITS = {
  perUsername: 10,
  perAddress: 30,
  windowMs: 15 * 60_000,
};

const WRONG = 'Wrong username or password.';

/**
 * Sign-in with argon2id. Failures are limited per username and per address; every failure says the
 * same thing, and an unknown username costs the same hashing time, so nothing tells which
 * usernames exist.
 */
export function createAuthService(deps: { admins: AdminsRepository; sessions: SessionsRepository; counters: CounterStore; audit: AuditService; clock: Clock }) {
  let dummyHash: Promise<string> | undefined;
  const keys = (username: string, ip: string) => [`login-user:${normalizeUsername(username).slice(0, 100)}`, `login-ip:${ip}`] as const;

  return {
    async login(input: { username: string; password: string; ip: string }): Promise<AdminRow> {
      const [userKey, ipKey] = keys(input.username, input.ip);
      const [byUser, byIp] = await Promise.all([deps.counters.peek(userKey), deps.counters.peek(ipKey)]);
      if (byUser.count >= LOGIN_LIMITS.perUsername || byIp.count >= LOGIN_LIMITS.perAddress) {
        throw rateLimitedError(Math.ceil(Math.max(byUser.resetInMs, byIp.resetInMs) / 1000));
      }
      const admin = await deps.admins.findByUsername(normalizeUsername(input.username));
      dummyHash ??= hashPassword('not a real password, used to spend equal time');
      const ok = await verifyPassword(admin?.password_hash ?? (await dummyHash), input.password.slice(0, 1024));
      const actor = { name: input.username.trim().slice(0, 100) || null, ip: input.ip };
      if (!admin || !ok) {
        await Promise.all([deps.counters.hit(userKey, LOGIN_LIMITS.windowMs), deps.counters.hit(ipKey, LOGIN_LIMITS.windowMs)]);
        await deps.audit.record({ ...actor, type: 'anonymous' }, 'login.failure');
        throw new AppError('auth.invalid_credentials', WRONG, { status: 401, fields: { password: WRONG } });
      }
      await deps.counters.reset(userKey);
      await deps.audit.record({ name: admin.username, type: 'admin', ip: input.ip }, 'login.success');
      return admin;
    },

    /** Changes the password and ends every other session of this admin. */
    async changePassword(input: { adminId: string; current: string; next: string; repeat: string; sessionId: string; ip: string }): Promise<void> {
      const admin = await deps.admins.findById(input.adminId);
      if (!admin || !(await verifyPassword(admin.password_hash, input.current))) {
        throw new AppError('auth.wrong_password', 'The current password is wrong.', { fields: { current: 'The current password is wrong.' } });
      }
      const problem = passwordProblem(input.next);
      if (problem) throw new AppError('auth.weak_password', problem, { fields: { next: problem } });
      if (input.next !== input.repeat) throw new AppError('auth.password_mismatch', 'The two new passwords differ.', { fields: { repeat: 'The two new passwords differ.' } });
      await deps.admins.updatePassword(admin.id, await hashPassword(input.next), isoNow(deps.clock));
      await deps.sessions.deleteForAdmin(admin.id, input.sessionId);
      await deps.audit.record({ name: admin.username, type: 'admin', ip: input.ip }, 'password.change');
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
