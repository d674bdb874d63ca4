import type { Clock } from '../../clock.js';

/** How long one probe's outcome answers for: a burst of /readyz costs one write, not one each. */
export const WRITE_PROBE_REUSE_MS = 1000;

/**
 * Readiness must notice a database that still answers reads but refuses writes (a full disk, a
 * file system remounted read-only, a read-only replica): `select 1` passes there, every invite
 * fails. So the probe writes: one small upsert, cheap enough for a load balancer asking every few
 * seconds. Calls while a probe runs, or within `reuseMs` of its start, share its outcome.
 */
export function createWriteProbe(deps: { write: (at: string) => Promise<void>; clock: Clock; reuseMs?: number }) {
  let last: { startedAt: number; settled: boolean; outcome: Promise<void> } | undefined;
  return function probeWrite(): Promise<void> {
    const now = deps.clock.now().getTime();
    if (last && (!last.settled || now - last.startedAt < (deps.reuseMs ?? WRITE_PROBE_REUSE_MS))) return last.outcome;
    const current = { startedAt: now, settled: false, outcome: deps.write(new Date(now).toISOString()) };
    const settle = () => void (current.settled = true);
    current.outcome.then(settle, settle);
    last = current;
    return current.outcome;
  };
}
