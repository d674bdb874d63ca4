export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
  /**
   * false: a failure is reported as "degraded" but leaves the instance ready. For what every
   * instance shares (Redis): taking them all out of the load balancer at once helps nobody.
   */
  required?: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  /** 'ok', 'failed: why' (makes the instance unready) or 'degraded: why' (reported only). */
  checks: Record<string, 'ok' | string>;
}

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createHealthService(checks: ReadinessCheck[]) {
  return {
    async readiness(): Promise<ReadinessReport> {
      const results = await Promise.all(
        checks.map(async ({ name, check, required = true }) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `${required ? 'failed' : 'degraded'}: ${(error as Error).message}`] as const;
          }
        }),
      );
      return { ready: results.every(([, state]) => !state.startsWith('failed')), checks: Object.fromEntries(results) };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
