import type { Redis } from 'ioredis';
import { connectRedis } from './redis.js';
import { createRepositories } from './repositories.js';
import type { SendOptions } from './modules/notifications/channels.js';
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { createDatabase, type DatabaseOptions } from './db/database.js';
import { AppError } from './errors.js';
import { createLogger } from './logger.js';
import { countInviteOutcomes, createMetrics } from './modules/metrics/metrics.js';
import { createMetricsRepository } from './modules/metrics/metrics.repository.js';
import { createAdminsService } from './modules/admins/admins.service.js';
import { createSessionsService } from './modules/sessions/sessions.service.js';
import { createAdminInvitesService } from './modules/admins/admin-invites.js';
import { createApiKeysService } from './modules/api-keys/api-keys.service.js';
import { createAuditService } from './modules/audit/audit.service.js';
import { createAuthService } from './modules/auth/auth.service.js';
import { createInvitationDelivery } from './modules/invitations/invitation-delivery.js';
import { createFriendTokens } from './modules/invitations/friend-tokens.js';
import { createPlexJoinSteps } from './modules/invitations/plex-join-steps.js';
import { createInvitationSender } from './modules/invitations/invitation-sender.js';
import { createAdminInvitationsRepository } from './modules/invitations/admin-invitations.repository.js';
import { createAdminInvitationsService } from './modules/invitations/admin-invitations.service.js';
import { createInvitationsService } from './modules/invitations/invitations.service.js';
import { createTurnGate } from './modules/invitations/turn-gate.js';
import { createRetryWorker } from './modules/invitations/retry-worker.js';
import { createUsersModule } from './modules/users/users.module.js';
import { createNotificationsModule } from './modules/notifications/notifications.module.js';
import { createPlexOutage } from './modules/notifications/plex-outage.js';
import { trackSends } from './modules/invitations/send-tracker.js';
import { createInviteLimits } from './modules/invitations/invite-limits.js';
import { createInviteCodesAdmin } from './modules/invite-codes/invite-codes.admin.js';
import { createInviteCodesService } from './modules/invite-codes/invite-codes.service.js';
import { createSetupStatus } from './modules/public/setup-status.js';
import { createJoinChecks } from './modules/join-with-plex/join-checks.js';
import { createJoinRulesRepository } from './modules/join-with-plex/join-rules.repository.js';
import { createJoinWithPlex } from './modules/join-with-plex/join-with-plex.service.js';
import { createPlexJoinPinsRepository } from './modules/join-with-plex/plex-join-pins.repository.js';
import { createSettingsService } from './modules/settings/settings.service.js';
import { createSettingsAdmin } from './modules/settings/settings-admin.service.js';
import { createDiagnostics } from './modules/plex/diagnostics.service.js';
import { createConnectionTests } from './modules/plex/last-test.js';
import { createDashboardService } from './modules/dashboard/dashboard.service.js';
import { createStatsRepository } from './modules/dashboard/stats.repository.js';
import { createLibrariesService } from './modules/libraries/libraries.service.js';
import { createLibraryMapping } from './modules/plex/library-mapping.js';
import { createPlexConnection } from './modules/plex/plex-connection.service.js';
import { createPlexSignIn } from './modules/plex/plex-signin.service.js';
import { createTokenRefusals } from './modules/plex/token-refusal.js';
import { createServerChoice } from './modules/setup/server-choice.service.js';
import { createSetupWizard } from './modules/setup/setup.service.js';
import { createPlexClient } from './plex/plex-client.js';
import { PLEX_CALL_TIMEOUT_MS } from './plex/plex-limits.js';
import type { CounterStore } from './rate-limit/counter-store.js';
import { MemoryCounterStore } from './rate-limit/memory-counter-store.js';
import { RedisCounterStore } from './rate-limit/redis-counter-store.js';
import { FailOpenCounterStore } from './rate-limit/fail-open-counter-store.js';
import { createSecretBox } from './security/crypto.js';
import { loadOrCreateSecretKey } from './security/secret-key.js';

/** Every plex.tv call is bounded; the invite flow uses its own, shorter bound on top. */
const PLEX_TIMEOUT_MS = PLEX_CALL_TIMEOUT_MS;

/** Invite submissions started per turn of the event loop when many arrive at once (turn-gate.ts). */
const INVITES_PER_TURN = 16;

/**
 * The one composition root: every concrete client (database, Redis, logger) is built here and
 * handed to the modules that need it. Nothing else constructs them.
 */
export interface DepsOverrides {
  clock?: Clock;
  logger?: Logger;
  database?: DatabaseOptions;
  /** The CLI has no use for Redis; the web app connects when REDIS_URL is set. */
  connectRedis?: boolean;
  /** Waits the sign-in slow-down during an attack on a username (tests record it instead). */
  sleep?: (ms: number) => Promise<void>;
  /** How long a friend's request waits for Plex before answering "pending" (default 6 s). */
  sendTimeoutMs?: number;
  /** Tests only: an invite lease shorter than INVITE_LEASE_SECONDS allows (see MIN_LEASE_MS). */
  inviteLeaseMs?: number;
  /** How long an admin page waits for the server's libraries before showing what it has (default 4 s). */
  plexPageWaitMs?: number;
  /**
   * One more CA certificate (PEM) for plex.tv, besides Node's: tests against the simulator's
   * self-signed HTTPS. A deployment uses NODE_EXTRA_CA_CERTS instead.
   */
  plexCa?: string;
  /** Tests: how notifications are sent (a CA for a local SMTP server with its own certificate). */
  notify?: SendOptions;
}

export async function createDeps(config: Config, overrides: DepsOverrides = {}) {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? (await createLogger(config));
  const secretKey = loadOrCreateSecretKey(config.dataDir, config.secretKey);
  const database = await createDatabase(config.database, overrides.database);
  let redis: Redis | undefined;
  let redisUpAtStart = true;
  try {
    if (config.redisUrl && overrides.connectRedis !== false) ({ redis, connected: redisUpAtStart } = await connectRedis(config.redisUrl, logger));
  } catch (error) {
    await database.close();
    throw error;
  }
  // With Redis, limits fail open: while it is away each instance counts in its own memory.
  const counters: CounterStore = redis
    ? new FailOpenCounterStore(new RedisCounterStore(redis, `${config.redisKeyPrefix}rl:`), new MemoryCounterStore(clock), { logger, clock, startDown: !redisUpAtStart })
    : new MemoryCounterStore(clock);

  const repositories = createRepositories(database.db);
  const secretBox = createSecretBox(secretKey);
  // Prometheus metrics, only when METRICS_TOKEN turns them on.
  const metrics = config.metricsToken ? createMetrics({ repository: createMetricsRepository(database.db), clock, plexUrls: config.plex }) : undefined;
  // Every Plex call's outcome, for the owner's outage notice (notifications).
  const plexOutage = createPlexOutage({ db: database.db, clock });
  const plexConnection = createPlexConnection({
    config: config.plex,
    settings: repositories.settings,
    secretBox,
    clock,
    buildClient: (clientIdentifier) =>
      createPlexClient({
        urls: { tvUrl: config.plex.tvUrl, clientsUrl: config.plex.clientsUrl, appUrl: config.plex.appUrl },
        clientIdentifier,
        timeoutMs: PLEX_TIMEOUT_MS,
        ca: overrides.plexCa,
        observe: plexOutage.observe,
        timed: metrics?.plexCall,
      }),
  });
  const tokenRefusals = createTokenRefusals({ settings: repositories.settings, connection: plexConnection, invitations: repositories.invitations, events: repositories.notifications, clock });
  const libraryMapping = createLibraryMapping(async () => {
    const { token, serverId } = await plexConnection.state();
    if (!token || !serverId) throw new AppError('plex.not_connected', 'Helpr is not connected to a Plex server yet.', { status: 409 });
    return (await plexConnection.client()).tv.getServerLibraries(token, serverId).catch(tokenRefusals.noticed(token));
  });
  const settings = createSettingsService({
    settings: repositories.settings,
    clock,
    overrides: config.inviteRateLimit
      ? { limits: { invitesPerWindow: config.inviteRateLimit.max, inviteWindowMinutes: config.inviteRateLimit.windowMinutes } }
      : undefined,
  });
  const codes = createInviteCodesService({ codes: repositories.inviteCodes, clock });
  // Join with Plex: the friend's token sealed with the same key as the owner's, used only by the job.
  const friendTokens = createFriendTokens({ repository: repositories.friendTokens, box: secretBox });
  const untrackedDelivery = createInvitationDelivery({
    invitations: repositories.invitations,
    send: createInvitationSender({ connection: plexConnection, mapping: libraryMapping, settings, onTokenRefused: tokenRefusals.record }),
    join: createPlexJoinSteps({
      connection: plexConnection,
      client: () => plexConnection.client(),
      mapping: libraryMapping,
      settings,
      friendTokens,
      clock,
      onTokenRefused: tokenRefusals.record,
    }),
    clock,
    logger,
    leaseMs: overrides.inviteLeaseMs ?? config.inviteLeaseSeconds * 1000,
  });
  // Every send goes through the tracker, so a stop can wait for (or give back) those under way.
  const delivery = countInviteOutcomes(trackSends(untrackedDelivery, { invitations: repositories.invitations, clock, logger }), metrics);
  const audit = createAuditService({ audit: repositories.audit, clock });
  const admins = createAdminsService({ admins: repositories.admins, clock, audit });
  const apiKeys = createApiKeysService({ keys: repositories.apiKeys, clock, audit });
  const diagnostics = createDiagnostics({
    connection: plexConnection,
    mapping: libraryMapping,
    clock,
    selectedLibraries: async () => (await settings.get()).libraries,
    onTokenRefused: tokenRefusals.record,
  });
  const inviteLimits = createInviteLimits({ counters, settings });
  const connectionTests = createConnectionTests({ diagnostics, settings: repositories.settings, clock, onPassed: tokenRefusals.clear });
  const setup = createSetupStatus({ admins, connection: plexConnection, clock });
  // A new token or server makes the cached setup status and library ids stale.
  const onPlexChanged = () => {
    setup.invalidate();
    libraryMapping.invalidate();
  };
  const invitations = createInvitationsService({
    db: database.db,
    invitations: repositories.invitations,
    codes,
    settings,
    delivery,
    friendTokens,
    limits: inviteLimits,
    clock,
    logger,
    sendTimeoutMs: overrides.sendTimeoutMs,
    gate: createTurnGate(INVITES_PER_TURN),
  });
  // Both ways to join check the way, the code and the house rules alike (join-checks.ts).
  const joinChecks = createJoinChecks({ rules: createJoinRulesRepository(database.db), settings, codes, limits: inviteLimits, clock });
  const joinWithPlex = createJoinWithPlex({
    pins: createPlexJoinPinsRepository(database.db),
    // PIN calls need no token: the client alone (its product headers and client identifier).
    plexTv: async () => (await plexConnection.client()).tv,
    checks: joinChecks,
    limits: inviteLimits,
    submitter: invitations,
    findInvitation: (id) => invitations.find(id),
    clock,
    logger,
  });
  const services = {
    admins,
    audit,
    auth: createAuthService({ admins: repositories.admins, sessions: repositories.sessions, counters, audit, clock, sleep: overrides.sleep }),
    sessions: createSessionsService({ sessions: repositories.sessions, audit, clock }),
    adminInvites: createAdminInvitesService({ invites: repositories.adminInvites, createAdmin: (input, actor) => admins.createAdmin(input, actor), audit, clock }),
    apiKeys,
    settings,
    settingsAdmin: createSettingsAdmin({ settings, audit, apiKeys, plexConnection, environmentLibraries: config.plex.libraries }),
    plexConnection,
    libraryMapping,
    diagnostics,
    connectionTests,
    libraries: createLibrariesService({ mapping: libraryMapping, settings, audit, pageWaitMs: overrides.plexPageWaitMs }),
    codes,
    codeAdmin: createInviteCodesAdmin({ codes, audit, mapping: libraryMapping }),
    invitations,
    adminInvitations: createAdminInvitationsService({
      repository: createAdminInvitationsRepository(database.db),
      invitations: repositories.invitations,
      submitter: invitations,
      delivery,
      connection: plexConnection,
      mapping: libraryMapping,
      audit,
      clock,
    }),
    inviteLimits,
    joinChecks,
    joinWithPlex,
    /** PLEX_APP_URL, where Continue with Plex sends friends: the request page's form may post there. */
    plexAppUrl: config.plex.appUrl,
    setup,
    setupWizard: createSetupWizard({ db: database.db, clock, admins, connection: plexConnection, audit, settings, onComplete: () => setup.invalidate() }),
    plexSignIn: createPlexSignIn({
      connection: plexConnection,
      audit,
      onConnected: onPlexChanged,
      // The requests that waited for a working token go out now; if this fails, their next try does it.
      onTokenSaved: () => tokenRefusals.restored().catch((error: unknown) => logger.warn({ err: error }, 'could not wake the requests waiting for Plex')),
      now: () => clock.now().getTime(),
    }),
    tokenRefusals,
    serverChoice: createServerChoice({ connection: plexConnection, audit, onChanged: onPlexChanged }),
    dashboard: createDashboardService({ stats: createStatsRepository(database.db), clock, connectionTests, setup, settings }),
    retryWorker: createRetryWorker({ invitations: repositories.invitations, delivery, clock, logger, sweepTokens: friendTokens.sweep }),
    // Who has access (issue 13): the sync, the owner's changes and expiry, and their jobs.
    ...createUsersModule({
      db: database.db,
      users: repositories.users,
      settingsRepository: repositories.settings,
      settings,
      connection: plexConnection,
      mapping: libraryMapping,
      audit,
      onTokenRefused: tokenRefusals.record,
      syncMinutes: config.usersSyncMinutes,
      clock,
      logger,
    }),
    ...createNotificationsModule({ db: database.db, settingsRepository: repositories.settings, box: secretBox, audit, settings, baseUrl: config.baseUrl, outage: plexOutage, clock, logger, send: overrides.notify }),
    delivery,
  };

  return {
    config,
    clock,
    logger,
    database,
    redis,
    counters,
    secretKey,
    secretBox,
    metrics,
    repositories,
    services,
    async close(): Promise<void> {
      await plexConnection.close();
      await database.close();
      if (redis) await redis.quit().catch(() => redis?.disconnect());
    },
  };
}

export type Deps = Awaited<ReturnType<typeof createDeps>>;
