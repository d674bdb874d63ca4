import { StartupError } from './errors.js';

/**
 * Turns a failure to listen into one line naming the variable to change: the usual cause is a port
 * already taken or a HOST that is not an address of this machine, not a bug worth a stack trace.
 */
export function listenError(error: unknown, where: { host: string; port: number }): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (error as Error).message;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(`port ${where.port} is already in use (${reason}); set PORT to another port`, { cause: error });
    case 'EACCES':
      return new StartupError(`not allowed to listen on port ${where.port} (${reason}); set PORT to a port above 1023`, { cause: error });
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `HOST "${where.host}" is not an address of this machine (${reason}); set HOST to 0.0.0.0 (every address), 127.0.0.1 (this machine only) or one of its addresses`,
        { cause: error },
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new StartupError(`HOST "${where.host}" is not a known host name (${reason}); set HOST to 0.0.0.0, 127.0.0.1 or one of this machine's addresses`, { cause: error });
    default:
      return error;
  }
}
