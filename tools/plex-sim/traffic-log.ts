import type { SimClock } from './clock.js';
import type { FaultKind, SimTarget } from './traffic-rules.js';

export interface LoggedRequest {
  seq: number;
  target: SimTarget;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The route pattern that matched (`/api/servers/:mid`), or null for an unknown path. */
  route: string | null;
  query: Record<string, unknown>;
  /** `Accept`, `Content-Type`, `User-Agent` and every `X-Plex-*` header. */
  headers: Record<string, string>;
  /** `1.1`, or `2.0` when the request came over HTTP/2. */
  httpVersion: string;
  /** The parsed body; absent when a fault answered before the body was read. */
  body?: unknown;
  /** Arrival time, from the simulator's clock. */
  at: string;
  status?: number;
  fault?: FaultKind;
}

export interface TargetCounters {
  total: number;
  /** Keyed `METHOD /route/:pattern`. */
  byRoute: Record<string, number>;
  /** Keyed `METHOD /concrete/path`. */
  byPath: Record<string, number>;
  byStatus: Record<string, number>;
  /** Keyed by HTTP version: `1.1`, `2.0`. */
  byHttpVersion: Record<string, number>;
  /** TCP connections accepted by the listener (its 'connection' event); one per HTTP/2 session. */
  connectionsOpened: number;
  /** Requests received and not yet answered (or cut), now. */
  inFlight: number;
  /** The most requests in flight at once since the start or the last clear. */
  maxInFlight: number;
}

export interface LogFilter {
  target?: SimTarget;
  method?: string;
  /** Path prefix. */
  path?: string;
  /**
   * The route pattern, exactly (`/api/v2/shared_servers/:id/accept`): every accept whatever its id,
   * and only the share POST for `/api/v2/shared_servers` (a path prefix also matches its sub-paths).
   */
  route?: string;
}

const INTERESTING_HEADERS = new Set(['accept', 'content-type', 'user-agent']);

export function headersOfInterest(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !(INTERESTING_HEADERS.has(name) || name.startsWith('x-plex-'))) continue;
    picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

const emptyCounters = (inFlight = 0): TargetCounters => ({
  total: 0,
  byRoute: {},
  byPath: {},
  byStatus: {},
  byHttpVersion: {},
  connectionsOpened: 0,
  inFlight,
  maxInFlight: inFlight,
});

const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Every simulated request (control calls excluded), kept up to `limit` entries, plus counters. */
export class TrafficLog {
  private log: LoggedRequest[] = [];
  private seq = 0;
  private counts: Record<SimTarget, TargetCounters> = { 'plex-tv': emptyCounters(), pms: emptyCounters() };

  constructor(
    private readonly clock: SimClock,
    private readonly limit: number,
  ) {}

  record(entry: Omit<LoggedRequest, 'seq' | 'at'>): LoggedRequest {
    const logged: LoggedRequest = { ...entry, seq: ++this.seq, at: this.clock.now().toISOString() };
    const counts = this.counts[entry.target];
    counts.total += 1;
    bump(counts.byRoute, `${entry.method} ${entry.route ?? '(unmatched)'}`);
    bump(counts.byPath, `${entry.method} ${entry.path}`);
    bump(counts.byHttpVersion, entry.httpVersion);
    this.log.push(logged);
    // Trimming in chunks keeps a long benchmark from shifting the array on every request.
    if (this.log.length > this.limit * 1.1) this.log = this.log.slice(-this.limit);
    return logged;
  }

  recordStatus(entry: LoggedRequest, status: number): void {
    entry.status = status;
    bump(this.counts[entry.target].byStatus, String(status));
  }

  recordConnection(target: SimTarget): void {
    this.counts[target].connectionsOpened += 1;
  }

  requestStarted(target: SimTarget): void {
    const counts = this.counts[target];
    counts.inFlight += 1;
    counts.maxInFlight = Math.max(counts.maxInFlight, counts.inFlight);
  }

  requestEnded(target: SimTarget): void {
    this.counts[target].inFlight -= 1;
  }

  entries(filter: LogFilter = {}): LoggedRequest[] {
    return this.log
      .slice(-this.limit)
      .filter(
        (entry) =>
          (!filter.target || entry.target === filter.target) &&
          (!filter.method || entry.method.toUpperCase() === filter.method.toUpperCase()) &&
          (!filter.path || entry.path.startsWith(filter.path)) &&
          (!filter.route || entry.route === filter.route),
      )
      .map((entry) => structuredClone(entry));
  }

  counters(): { plexTv: TargetCounters; pms: TargetCounters } {
    return structuredClone({ plexTv: this.counts['plex-tv'], pms: this.counts.pms });
  }

  /** Requests still in flight stay counted, so inFlight never goes below zero. */
  clear(): void {
    this.log = [];
    this.counts = { 'plex-tv': emptyCounters(this.counts['plex-tv'].inFlight), pms: emptyCounters(this.counts.pms.inFlight) };
  }
}
