import { AppError } from '../../errors.js';
import { rateLimitedError } from '../../plugins/rate-limit.js';
import type { CounterStore } from '../../rate-limit/counter-store.js';
import { addressGroup } from '../../security/address-group.js';
import { hashPassword, passwordProblem, verifyPassword } from '../../security/password.js';
import type { Clock } from '../../clock.js';
import { isoNow } from '../../clock.js';
import type { AdminRow, AdminsRepository } from '../admins/admins.repository.js';
import { normalizeUsername } from '../admins/admins.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SessionsRepository } from '../sessions/sessions.repository.js';

/**
 * An "address" here is an IPv4 address or an IPv6 /64 (addressGroup). Attempts count from the
 * moment they start, and one with the right password is taken back, so these are failures and
 * attempts still under way: a burst of parallel guesses is counted in full, not as 0 failures each.
 */
export const LOGIN_LIMITS = {
  /** Failures for one username from one address: further attempts from there are refused (429). */
  perUsernameAndAddress: 10,
  /** Failures from one address, whatever the usernames: refused (429). */
  perAddress: 30,
  /** Failures for one username from anywhere beyond which its attempts are slowed down... */
  slowDownAfter: 5,
  /**
   * ...by this much, doubling with each further failure, up to `maxDelayMs`, and checked one at a
   * time (each waits its turn behind the others, across instances): at most one guess per delay
   * for a username, however many addresses guess at once. Never refused.
   */
  firstDelayMs: 250,
  maxDelayMs: 3000,
  windowMs: 15 * 60_000,
};

const WRONG = 'Wrong username or password.';

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The slow-down before checking a password for a username that has had `failures` failures. */
export function loginDelayMs(failures: number): number {
  const beyond = failures - LOGIN_LIMITS.slowDownAfter;
  if (beyond <= 0) return 0;
  return Math.min(LOGIN_LIMITS.firstDelayMs * 2 ** Math.min(beyond - 1, 20), LOGIN_LIMITS.maxDelayMs);
}

/**
 * Sign-in with argon2id. Failures are refused hard per (username, address) and per address, and
 * per username only slowed down and taken one at a time: a lock per username would let anyone
 * lock the owner out from addresses of their own, so the right password from an address with no
 * failures always gets in (late during an attack, behind the attacker's queued guesses). Every
 * failure says the same thing, and an unknown username costs the same hashing time, so nothing
 * tells which usernames exist.
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
  const sleep = deps.sleep ?? realSleep;
  const keys = (username: string, ip: string) => {
    const user = normalizeUsername(username).slice(0, 100);
    const group = addressGroup(ip);
    // An address group never contains "|", so the pair key cannot be read two ways.
    return { user: `login-user:${user}`, turn: `login-turn:${user}`, pair: `login-pair:${group}|${user}`, ip: `login-ip:${group}` };
  };

  return {
    async login(input: { username: string; password: string; ip: string }): Promise<AdminRow> {
      const key = keys(input.username, input.ip);
      const { windowMs } = LOGIN_LIMITS;
      const [byPair, byIp] = await Promise.all([deps.counters.hit(key.pair, windowMs), deps.counters.hit(key.ip, windowMs)]);
      const pairRefused = byPair.count > LOGIN_LIMITS.perUsernameAndAddress;
      const ipRefused = byIp.count > LOGIN_LIMITS.perAddress;
      if (pairRefused || ipRefused) {
        throw rateLimitedError(Math.ceil(Math.max(pairRefused ? byPair.resetInMs : 0, ipRefused ? byIp.resetInMs : 0) / 1000));
      }
      // Before the password is checked, so the wait says nothing about whether it was right.
      const delay = loginDelayMs((await deps.counters.hit(key.user, windowMs)).count - 1);
      if (delay > 0) await sleep(await deps.counters.takeTurn(key.turn, delay));
      const admin = await deps.admins.findByUsername(normalizeUsername(input.username));
      dummyHash ??= hashPassword('not a real password, used to spend equal time');
      const ok = await verifyPassword(admin?.password_hash ?? (await dummyHash), input.password.slice(0, 1024));
      const actor = { name: input.username.trim().slice(0, 100) || null, ip: input.ip };
      if (!admin || !ok) {
        await deps.audit.record({ ...actor, type: 'anonymous' }, 'login.failure');
        throw new AppError('auth.invalid_credentials', WRONG, { status: 401, fields: { password: WRONG } });
      }
      // Only this address's failures are forgiven: an attack on the username from elsewhere goes
      // on whether or not the owner signs in, so its slow-down stays. This attempt was no failure.
      await Promise.all([deps.counters.reset(key.pair), deps.counters.takeBack(key.ip), deps.counters.takeBack(key.user)]);
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
