export interface ReadinessCheck {
  name: string;
  check(): Promise<unknown>;
}

export interface ReadinessReport {
  ready: boolean;
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
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `failed: ${(error as Error).message}`] as const;
          }
        }),
      );
      return { ready: results.every(([, state]) => state === 'ok'), checks: Object.fromEntries(results) };
    },
  };
}

export type HealthService = ReturnType<typeof createHealthService>;
