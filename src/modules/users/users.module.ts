import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/database.js';
import type { AuditService } from '../audit/audit.service.js';
import { createJobLeasesRepository } from '../jobs/job-leases.repository.js';
import { createPeriodicJob } from '../jobs/periodic-job.js';
import { createNotificationsRepository } from '../notifications/notifications.repository.js';
import type { LibraryMapping } from '../plex/library-mapping.js';
import type { PlexConnection } from '../plex/plex-connection.service.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import { createUserActionRunner } from './user-action-runner.js';
import { createUserActionsRepository } from './user-actions.repository.js';
import { createUserActions } from './user-actions.service.js';
import { createUserActionsPass } from './user-actions.worker.js';
import type { UsersRepository } from './users.repository.js';
import { createUsersService } from './users.service.js';
import { createUsersSync } from './users-sync.js';

/** How often the owner's changes and the expiry removals still to carry out are looked at. */
export const USER_ACTIONS_INTERVAL_MS = 15_000;
/** The first scheduled sync waits this long after start (the app is serving by then). */
const FIRST_SYNC_DELAY_MS = 60_000;

/**
 * Who has access (issue 13), wired for the composition root: the sync read from plex.tv by one
 * instance at a time (on a schedule and on demand), the owner's changes and the expiry removals as
 * durable actions, and the jobs that run them.
 */
export function createUsersModule(deps: {
  db: Db;
  users: UsersRepository;
  settingsRepository: SettingsRepository;
  settings: SettingsService;
  connection: PlexConnection;
  mapping: LibraryMapping;
  audit: AuditService;
  onTokenRefused: (token: string) => Promise<boolean>;
  /** USERS_SYNC_MINUTES; 0: only on demand. */
  syncMinutes: number;
  clock: Clock;
  logger: Logger;
}) {
  const { users, connection, mapping, clock, logger } = deps;
  const usersSync = createUsersSync({
    users,
    leases: createJobLeasesRepository(deps.db),
    settings: deps.settingsRepository,
    events: createNotificationsRepository(deps.db),
    connection,
    onTokenRefused: deps.onTokenRefused,
    clock,
    logger,
  });
  const actions = createUserActionsRepository(deps.db);
  const runner = createUserActionRunner({ actions, users, connection, mapping, settings: deps.settings, onTokenRefused: deps.onTokenRefused, clock, logger });
  const userActionsPass = createUserActionsPass({ actions, runner, clock, logger });
  const syncIntervalMs = deps.syncMinutes * 60_000;
  return {
    users: createUsersService({ users, sync: usersSync, mapping, clock }),
    usersSync,
    userActions: createUserActions({ users, actions, runner, mapping, audit: deps.audit, clock, logger }),
    /** Expiry removals and the owner's changes still to carry out (retries). */
    userActionsPass,
    userActionsJob: createPeriodicJob({ name: 'user actions', intervalMs: USER_ACTIONS_INTERVAL_MS, logger, run: userActionsPass }),
    /** The scheduled sync: a first one a minute after start, then every USERS_SYNC_MINUTES (skipped when another instance just ran one). */
    usersSyncJob:
      syncIntervalMs > 0
        ? createPeriodicJob({ name: 'users sync', intervalMs: syncIntervalMs, firstDelayMs: FIRST_SYNC_DELAY_MS, logger, run: () => usersSync.run({ ifOlderThanMs: syncIntervalMs }) })
        : undefined,
  };
}
