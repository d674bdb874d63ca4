import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { StartupError, isAppError } from './errors.js';
import { startServer } from './server.js';

/** Process entry: configuration, start, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const server = await startServer(config);
  const stop = (signal: string) => {
    server.deps.logger.info({ signal }, 'shutting down');
    // A second signal, or a stop that takes too long, ends the process at once.
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    process.once(signal, () => process.exit(1));
    server.close().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (error: unknown) => {
        server.deps.logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // Known start-up problems are one clear line; anything else is a bug and keeps its stack.
  if (error instanceof ConfigError || error instanceof StartupError || isAppError(error)) {
    console.error(`helpr: ${(error as Error).message}`);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`helpr: the port is already in use (${(error as Error).message}); set PORT to another one`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
