import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { StartupError, isAppError } from './errors.js';
import { stopWhenLauncherGone } from './launcher.js';
import { startServer, type RunningServer } from './server.js';
import { signalBursts } from './stop-signals.js';
import { keepServingOnUnhandledRejection } from './unhandled-rejections.js';

/** Process entry: configuration, start, and a graceful stop on SIGTERM/SIGINT/SIGHUP. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  // Filled once started; a signal may arrive before that.
  const running: { server?: RunningServer } = {};
  let stopping: NodeJS.Signals | undefined;
  const burst = signalBursts();

  const shutDown = (server: RunningServer, signal: NodeJS.Signals) => {
    server.deps.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.deps.logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };

  const stop = (signal: NodeJS.Signals) => {
    // The same stop arriving twice at once (systemd signals the launcher and Helpr together) is
    // one stop; asked again later, or a stop that takes too long, ends the process at once.
    const turn = burst();
    if (turn === 'repeat') return;
    if (turn === 'again') process.exit(1);
    stopping = signal;
    setTimeout(() => process.exit(1), config.shutdownTimeoutMs).unref();
    if (running.server) shutDown(running.server, signal);
    // Otherwise still starting: main() stops once the start finishes.
  };
  // Listen before starting, so a signal that arrives during start-up is not lost.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
  stopWhenLauncherGone(process, stop);

  running.server = await startServer(config);
  keepServingOnUnhandledRejection(process, running.server.deps.logger);
  if (stopping) shutDown(running.server, stopping);
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
