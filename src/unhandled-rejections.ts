import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';

/**
 * A promise rejected with nobody waiting on it is a bug, but it concerns one request or one
 * attempt: Node's default (exit) would take every friend's page and the retry worker down with it.
 * It is logged loudly and Helpr keeps serving; a thrown exception still ends the process (its
 * state may be broken), and the launcher or the service manager starts it again.
 */
export function keepServingOnUnhandledRejection(processLike: EventEmitter, logger: Pick<Logger, 'error'>): void {
  processLike.on('unhandledRejection', (reason: unknown) => {
    logger.error({ err: reason }, 'unhandled promise rejection (Helpr keeps running)');
  });
}
