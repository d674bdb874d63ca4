import type { Logger } from 'pino';

/**
 * Runs `run` every `intervalMs` in the background of the app process (first run `firstDelayMs`
 * after start): one run at a time in this process, a failed run logged and the schedule kept, and
 * stop() waits for a run in flight. Jobs that must run on one instance at a time take a lease
 * inside `run` (job-leases.repository.ts).
 */
export function createPeriodicJob(options: { name: string; intervalMs: number; firstDelayMs?: number; run: () => Promise<unknown>; logger: Logger }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;

  function schedule(delayMs: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = options
        .run()
        .then(() => undefined)
        .catch((error: unknown) => options.logger.error({ err: error, job: options.name }, 'background job failed; it runs again at its next turn'))
        .finally(() => {
          running = undefined;
          schedule(options.intervalMs);
        });
    }, delayMs);
    timer.unref();
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      schedule(options.firstDelayMs ?? options.intervalMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    /** Whether a run is under way in this process. */
    get busy(): boolean {
      return running !== undefined;
    },
  };
}

export type PeriodicJob = ReturnType<typeof createPeriodicJob>;
