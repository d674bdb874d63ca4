import { AppError } from '../../errors.js';
import type { CounterStore } from '../../rate-limit/counter-store.js';
import { addressGroup } from '../../security/address-group.js';

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
  /** Failures with one device cookie, beyond which the cookie no longer skips the slow-down. */
  perDevice: 10,
  /** Failures for one username from anywhere beyond which its attempts are slowed down... */
  slowDownAfter: 5,
  /**
   * ...by this much, doubling with each further failure, up to `maxDelayMs`, and checked one at a
   * time (each waits its turn behind the others, across instances): at most one guess per delay
   * for a username from addresses that already failed for it.
   */
  firstDelayMs: 250,
  maxDelayMs: 3000,
  /**
   * The longest wait for a turn. The queue must stay short, or an attacker sending more than one
   * guess per delay makes it grow without end and the owner's sign-in waits minutes behind it:
   * past what a person waits and what proxies allow (nginx gives up after 60 s). From an address
   * that failed for the username, a turn further away is refused at once (the queue stays as it
   * was); from an address with none, the attempt is checked after this wait, never refused.
   */
  maxQueueWaitMs: 10_000,
  windowMs: 15 * 60_000,
};

/** The slow-down before checking a password for a username that has had `failures` failures. */
export function loginDelayMs(failures: number): number {
  const beyond = failures - LOGIN_LIMITS.slowDownAfter;
  if (beyond <= 0) return 0;
  return Math.min(LOGIN_LIMITS.firstDelayMs * 2 ** Math.min(beyond - 1, 20), LOGIN_LIMITS.maxDelayMs);
}

function refused(code: string, message: string, retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const minutes = Math.ceil(seconds / 60);
  const error = new AppError(code, message.replace('{wait}', minutes === 1 ? '1 minute' : `${minutes} minutes`), { status: 429 });
  return Object.assign(error, { retryAfter: seconds });
}

export interface LoginAdmission {
  /** The password was right: this attempt was no failure. */
  succeeded(): Promise<void>;
}

/**
 * Decides, before a password is checked, whether and when it is checked. Failures are refused
 * hard per (username, address) and per address; per username they only slow down, since a lock
 * per username would let anyone lock the owner out. A browser that signed in as the username
 * before (its device cookie) skips the slow-down, limited per device instead.
 */
export function createLoginThrottle(deps: { counters: CounterStore; sleep: (ms: number) => Promise<void> }) {
  const { counters } = deps;
  const { windowMs } = LOGIN_LIMITS;

  return {
    /** `user` is the normalized username; `deviceNonce` only from a valid device cookie for that user. */
    async admit(attempt: { user: string; ip: string; deviceNonce?: string }): Promise<LoginAdmission> {
      const user = attempt.user.slice(0, 100);
      const group = addressGroup(attempt.ip);
      // An address group never contains "|", so the pair key cannot be read two ways.
      const key = { user: `login-user:${user}`, turn: `login-turn:${user}`, pair: `login-pair:${group}|${user}`, ip: `login-ip:${group}` };
      const [byPair, byIp] = await Promise.all([counters.hit(key.pair, windowMs), counters.hit(key.ip, windowMs)]);
      const pairRefused = byPair.count > LOGIN_LIMITS.perUsernameAndAddress;
      if (pairRefused || byIp.count > LOGIN_LIMITS.perAddress) {
        const wait = Math.max(pairRefused ? byPair.resetInMs : 0, byIp.count > LOGIN_LIMITS.perAddress ? byIp.resetInMs : 0);
        throw pairRefused
          ? refused('auth.throttled', 'Too many sign-in attempts for this account from your network. Wait {wait}.', wait)
          : refused('auth.throttled', 'Too many sign-in attempts from your network. Wait {wait}.', wait);
      }
      // Only this address's failures are forgiven: an attack on the username from elsewhere goes
      // on whether or not the owner signs in, so its slow-down stays.
      const forgive = async (...more: Array<() => Promise<void>>) => {
        await Promise.all([counters.reset(key.pair), counters.takeBack(key.ip), ...more.map((call) => call())]);
      };

      if (attempt.deviceNonce) {
        const device = `login-device:${attempt.deviceNonce}`;
        // A known browser is not queued behind the attack; its failures count against it alone.
        if ((await counters.hit(device, windowMs)).count <= LOGIN_LIMITS.perDevice) return { succeeded: () => forgive(() => counters.reset(device)) };
      }

      // Before the password is checked, so the wait says nothing about whether it was right.
      const delay = loginDelayMs((await counters.hit(key.user, windowMs)).count - 1);
      if (delay > 0) {
        let wait = await counters.takeTurn(key.turn, delay, LOGIN_LIMITS.maxQueueWaitMs);
        if (wait === undefined) {
          if (byPair.count > 1) {
            // Nothing was checked: no failure to count, and no place taken in the queue.
            await Promise.all([counters.takeBack(key.pair), counters.takeBack(key.ip), counters.takeBack(key.user)]);
            throw refused(
              'auth.throttled',
              'Too many sign-in attempts for this account from your network. Wait {wait}, or sign in from a browser you used before.',
              byPair.resetInMs,
            );
          }
          // No failures from this address: never refused, checked after the longest wait.
          wait = LOGIN_LIMITS.maxQueueWaitMs;
        }
        await deps.sleep(wait);
      }
      return { succeeded: () => forgive(() => counters.takeBack(key.user)) };
    },
  };
}
