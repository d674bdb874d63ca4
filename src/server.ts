import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { createDeps, type Deps } from './deps.js';
import { listenError } from './listen-errors.js';
import { announceStartup, startupNotice } from './startup-notice.js';

/** What a stop leaves for closing the database and Redis after the sends: SHUTDOWN_TIMEOUT_MS minus this. */
export const CLOSE_MARGIN_MS = 3000;

/** How long a stop waits for invites being sent before giving them back. */
export function sendWaitMs(config: Pick<Config, 'shutdownTimeoutMs'>): number {
  return Math.max(0, config.shutdownTimeoutMs - CLOSE_MARGIN_MS);
}

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  close(): Promise<void>;
}

/** Everything `npm start` does before listening: deps, migrations, the configured admin, the app. */
export async function startServer(config: Config, options: AppOptions & { deps?: Deps; retryWorker?: boolean; announce?: boolean } = {}): Promise<RunningServer> {
  const deps = options.deps ?? (await createDeps(config));
  let app: FastifyInstance | undefined;
  try {
    const migration = await migrateToLatest(deps.database);
    if (migration.applied.length > 0) deps.logger.info({ applied: migration.applied }, 'database migrated');
    const admin = await deps.services.admins.ensureConfiguredAdmin(config.admin);
    if (admin) deps.logger.info({ username: admin.username }, 'admin created from ADMIN_USERNAME');
    if (config.plex.libraries) {
      await deps.services.settings.update({ libraries: config.plex.libraries });
      deps.logger.info({ libraries: config.plex.libraries }, 'library selection set from PLEX_LIBRARIES');
    }
    // A Plex token replaced while Helpr was stopped (a new PLEX_TOKEN): the requests waiting for it go out now.
    const woken = await deps.services.tokenRefusals.resumeIfReplaced().catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'could not check whether the refused Plex token was replaced');
      return 0;
    });
    if (woken > 0) deps.logger.info({ requests: woken }, 'the refused Plex token was replaced: waiting requests are sent now');
    app = await buildApp(deps, options);
    const address = await app.listen({ port: config.port, host: config.host }).catch((error: unknown) => {
      throw listenError(error, config);
    });
    if (options.retryWorker !== false) {
      deps.services.retryWorker.start();
      deps.services.usersSyncJob?.start();
      deps.services.userActionsJob.start();
      deps.services.notificationsJob.start();
    }
    if (options.announce !== false) {
      const bound = app.server.address();
      const port = typeof bound === 'object' && bound ? bound.port : config.port;
      const publicAddress = await deps.services.settings.get().then((settings) => settings.publicAddress, () => null);
      const notice = startupNotice(config, port, !(await deps.services.setup.isReady().catch(() => true)), publicAddress);
      // Plain lines on stderr as well, unless Helpr was told to say nothing (LOG_LEVEL=silent).
      announceStartup(deps.logger, notice, config.logLevel === 'silent' ? undefined : process.stderr);
    }
    return {
      app,
      deps,
      url: address,
      // Stop the worker and accepting, let in-flight work finish, then close the database and Redis.
      close: async () => {
        // Fastify closes the idle keep-alive connections when it starts closing; one busy at that
        // moment would stay open after its answer until the client lets go (a browser: minutes).
        const sweep = setInterval(() => app!.server.closeIdleConnections(), 100);
        try {
          const closing = Promise.all([deps.services.retryWorker.stop(), deps.services.usersSyncJob?.stop(), deps.services.userActionsJob.stop(), deps.services.notificationsJob.stop(), app!.close()]);
          // Invites being sent (friends' requests that answered "pending" go on in the background)
          // get until shortly before the hard exit in main.ts; those still under way are given back.
          await deps.services.delivery.drain(sendWaitMs(config), closing);
          await closing;
        } finally {
          clearInterval(sweep);
        }
        await deps.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await deps.close().catch(() => undefined);
    throw error;
  }
}
