import crypto from 'node:crypto';
import { Redis } from 'ioredis';

/**
 * Tests share whatever Redis TEST_REDIS_URL points at (the README's is database 15 of a local
 * Redis, which may hold other data): each suite writes under its own key prefix, given to Helpr as
 * REDIS_KEY_PREFIX, and deletes only those keys afterwards. Never FLUSHDB.
 */
export function testRedisPrefix(): string {
  return `helpr-test:${crypto.randomBytes(6).toString('hex')}:`;
}

/** The keys under `prefix` (SCAN, so a large database is not blocked). */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Deletes the keys under `prefix` and nothing else; returns how many. */
export async function deleteKeysUnder(url: string, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to delete every key: give a prefix');
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const keys = await keysUnder(redis, prefix);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    return keys.length;
  } finally {
    await redis.quit();
  }
}
