import type { Redis } from 'ioredis';
import type { CounterHit, CounterStore } from './counter-store.js';

// One atomic round trip: count the hit, start the window on the first hit, report what is left.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

// DECR keeps the key's expiry; a key that is gone or at zero stays as it is.
const TAKE_BACK_SCRIPT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

// The queue's end is the key's time to live, so every instance agrees on it whatever its clock.
// ARGV[2] is the longest wait to reserve (-1: any); a longer one reserves nothing and answers -1.
const TAKE_TURN_SCRIPT = `
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = 0 end
local wait = left + tonumber(ARGV[1])
local most = tonumber(ARGV[2])
if most >= 0 and wait > most then return -1 end
redis.call('SET', KEYS[1], '1', 'PX', wait)
return wait
`;

/** Counters shared by every instance that uses the same Redis. */
export class RedisCounterStore implements CounterStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'helpr:rl:',
  ) {}

  async hit(key: string, windowMs: number): Promise<CounterHit> {
    const [count, ttl] = (await this.redis.eval(HIT_SCRIPT, 1, this.prefix + key, String(windowMs))) as [number, number];
    return { count, resetInMs: ttl };
  }

  async peek(key: string): Promise<CounterHit> {
    const [value, ttl] = await this.redis.multi().get(this.prefix + key).pttl(this.prefix + key).exec().then((replies) =>
      (replies ?? []).map(([error, result]) => {
        if (error) throw error;
        return result;
      }),
    );
    if (value === null || value === undefined || Number(ttl) < 0) return { count: 0, resetInMs: 0 };
    return { count: Number(value), resetInMs: Number(ttl) };
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async takeBack(key: string): Promise<void> {
    await this.redis.eval(TAKE_BACK_SCRIPT, 1, this.prefix + key);
  }

  async takeTurn(key: string, spacingMs: number, maxWaitMs?: number): Promise<number | undefined> {
    const most = maxWaitMs === undefined || !Number.isFinite(maxWaitMs) ? -1 : Math.max(0, Math.floor(maxWaitMs));
    const wait = Number(await this.redis.eval(TAKE_TURN_SCRIPT, 1, this.prefix + key, String(Math.max(1, Math.round(spacingMs))), String(most)));
    return wait < 0 ? undefined : wait;
  }
}
