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
export async function startServer(config: Config, options: AppOptions & { deps?: Deps } = {}): Promise<RunningServer> {
  const deps = options.deps ?? (await createDeps(config));
  let app: FastifyInstance | undefined;
  try {
    const migration = await migrateToLatest(deps.database);
    if (migration.applied.length > 0) deps.logger.info({ applied: migration.applied }, 'database migrated');
    const admin = await deps.services.admins.ensureConfiguredAdmin(config.admin);
    if (admin) deps.logger.info({ username: admin.username }, 'admin created from ADMIN_USERNAME');
    app = await buildApp(deps, options);
    const address = await app.listen({ port: config.port, host: config.host });
    return {
      app,
      deps,
      url: address,
      // Stop accepting, let in-flight requests finish, then close the database and Redis.
      close: async () => {
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
