import { AppError } from '../../errors.js';
import type { CounterStore } from '../../rate-limit/counter-store.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../security/password.js';
import type { Clock } from '../../clock.js';
import { isoNow } from '../../clock.js';
import type { AdminRow, AdminsRepository } from '../admins/admins.repository.js';
import { normalizeUsername } from '../admins/admins.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';
import { newDevice, type Device } from './device-cookie.js';
import { createLoginThrottle } from './login-throttle.js';

export { LOGIN_LIMITS, loginDelayMs } from './login-throttle.js';

const WRONG = 'Wrong username or password.';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sign-in with argon2id, throttled by login-throttle.ts: the right password from an address with
 * no failures always gets in (after at most a short wait during an attack), and at once from a
 * browser that signed in as that username before. Every failure says the same thing, and an
 * unknown username costs the same hashing time, so nothing tells which usernames exist.
 */
export function createAuthService(deps: {
  admins: AdminsRepository;
  sessions: SessionsRepository;
  counters: CounterStore;
  audit: AuditService;
  clock: Clock;
  /** Waits the slow-down (tests record it instead of waiting). */
  sleep?: (ms: number) => Promise<void>;
}) {
  let dummyHash: Promise<string> | undefined;
  const throttle = createLoginThrottle({ counters: deps.counters, sleep: deps.sleep ?? realSleep });

  return {
    /**
     * `device` is what this browser's signed device cookie says (deviceOf); on success the answer
     * holds a new device for the browser to keep.
     */
    async login(input: { username: string; password: string; ip: string; device?: Device }): Promise<{ admin: AdminRow; device: Device }> {
      const user = normalizeUsername(input.username);
      // A device cookie helps only the username it was issued for.
      const deviceNonce = input.device?.username === user ? input.device.nonce : undefined;
      const admission = await throttle.admit({ user, ip: input.ip, deviceNonce });
      const admin = await deps.admins.findByUsername(user);
      dummyHash ??= hashPassword('not a real password, used to spend equal time');
      const ok = await verifyPassword(admin?.password_hash ?? (await dummyHash), input.password.slice(0, 1024));
      const actor = { name: input.username.trim().slice(0, 100) || null, ip: input.ip };
      if (!admin || !ok) {
        await deps.audit.record({ ...actor, type: 'anonymous' }, 'login.failure');
        throw new AppError('auth.invalid_credentials', WRONG, { status: 401, fields: { password: WRONG } });
      }
      await admission.succeeded();
      await deps.audit.record({ name: admin.username, type: 'admin', ip: input.ip }, 'login.success');
      return { admin, device: newDevice(admin.username_normalized) };
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
