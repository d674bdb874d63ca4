import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { StartupError, isAppError } from './errors.js';
import { stopWhenLauncherGone } from './launcher.js';
import { startServer, type RunningServer } from './server.js';
import { keepServingOnUnhandledRejection } from './unhandled-rejections.js';

/** Process entry: configuration, start, and a graceful stop on SIGTERM/SIGINT/SIGHUP. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  // Filled once started; a signal may arrive before that.
  const running: { server?: RunningServer } = {};
  let stopping = false;

  const stop = (signal: NodeJS.Signals) => {
    // A second signal, or a stop that takes too long, ends the process at once.
    if (stopping) process.exit(1);
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    const server = running.server;
    if (!server) return; // still starting: main() stops once the start finishes
    server.deps.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.deps.logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  // Listen before starting, so a signal that arrives during start-up is not lost.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  stopWhenLauncherGone(process, stop);

  running.server = await startServer(config);
  keepServingOnUnhandledRejection(process, running.server.deps.logger);
  if (stopping) {
    stopping = false;
    stop('SIGTERM');
  }
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
