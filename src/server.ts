import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';
import type { Config } from './config.js';
import { migrateToLatest } from './db/migrate.js';
import { createDeps, type Deps } from './deps.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  url: string;
  close(): Promise<void>;
}

/** Everything `npm start` does before listening: deps, migrations, the configured admin, the app. */
export async function startServer(config: Config, options: AppOptions & { deps?: Deps; retryWorker?: boolean } = {}): Promise<RunningServer> {
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
    app = await buildApp(deps, options);
    const address = await app.listen({ port: config.port, host: config.host });
    if (options.retryWorker !== false) deps.services.retryWorker.start();
    return {
      app,
      deps,
      url: address,
      // Stop the worker and accepting, let in-flight work finish, then close the database and Redis.
      close: async () => {
        await deps.services.retryWorker.stop();
        await app!.close();
        await deps.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await deps.close().catch(() => undefined);
    throw error;
  }
}
