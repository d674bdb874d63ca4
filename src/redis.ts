import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * Connects to Redis for the rate-limit counters shared by several instances (REDIS_URL).
 */
export async function connectRedis(url: string, logger: Logger): Promise<{ redis: Redis; connected: boolean }> {
  // No offline queue and no retry of a command: while Redis is away commands fail at once (those in
  // flight when it went away too) and limits fail open, instead of requests waiting on a queue. A
  // Redis that stops answering without closing the connection costs at most commandTimeout.
  // Reconnection never gives up (every 2 s at most), so a Redis that comes back is used again.
  // Loaded only when REDIS_URL is set.
  const { Redis: RedisClient } = await import('ioredis');
  const safeUrl = url.replace(/\/\/[^@/]*@/, '//***@');
  const redis = new RedisClient(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    commandTimeout: 1000,
    retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
  });
  let connected = false;
  let lastError = '';
  redis.on('error', (error: Error) => {
    // Until the first connection the start-up warning below says it all, in one line.
    if (connected && error.message !== lastError) logger.warn({ err: error.message }, 'redis connection problem');
    lastError = error.message;
  });
  // Each outage is logged once: forget the last error when Redis answers again.
  redis.on('ready', () => {
    if (lastError) logger.info(connected ? 'redis connection back' : 'redis connected (it was unreachable at start)');
    connected = true;
    lastError = '';
  });
  try {
    await redis.connect();
    return { redis, connected: true };
  } catch (error) {
    // Not a reason to stay down: limits fail open, and an instance restarted or added during an
    // outage must serve like the others. ioredis goes on connecting in the background.
    logger.warn(
      { err: lastError || (error as Error).message },
      `Redis unreachable at start (${safeUrl}): counting rate limits in this instance’s memory until Redis answers; check REDIS_URL and that Redis is running`,
    );
    return { redis, connected: false };
  }
}
