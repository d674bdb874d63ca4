import type { Redis } from 'ioredis';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/database.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { ReadinessCheck } from './health.service.js';
import { createWriteProbe } from './write-probe.js';

/** The settings key the write probe upserts (its value: when the last probe wrote). */
export const WRITE_PROBE_KEY = 'health.writeProbe';

/**
 * What /readyz asks. Ready means the database reads and writes; Redis (shared rate-limit counters)
 * is reported but not required: limits fail open to memory without it, and a Redis outage must not
 * take every instance out of the load balancer at once.
 */
export function readinessChecks(deps: {
  database: Pick<DatabaseHandle, 'ping'>;
  redis?: Pick<Redis, 'ping'>;
  repositories: { settings: Pick<SettingsRepository, 'set'> };
  clock: Clock;
}): ReadinessCheck[] {
  const probeWrite = createWriteProbe({ write: (at) => deps.repositories.settings.set(WRITE_PROBE_KEY, at, at), clock: deps.clock });
  const redis = deps.redis;
  return [
    { name: 'database', check: () => deps.database.ping() },
    { name: 'database_write', check: probeWrite },
    ...(redis ? [{ name: 'redis', required: false, check: () => redis.ping() }] : []),
  ];
}
