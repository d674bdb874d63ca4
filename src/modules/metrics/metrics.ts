import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../../clock.js';
import type { MetricsRepository } from './metrics.repository.js';

const OUTBOX_STATUSES = ['pending', 'held', 'delivered', 'dead'];
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A Plex endpoint as a label: the service (plex.tv, clients.plex.tv, by the configured URLs, or
 * "media-server" for the owner's server, whose address stays out of the metrics) and the path with
 * ids, tokens and names replaced by ":id", so the label has a few dozen values, not one per friend.
 */
export function plexEndpoint(method: string, url: string, services: Record<string, string> = {}): string {
  const parsed = new URL(url);
  const host = services[parsed.origin] ?? (/(^|\.)plex\.tv$/.test(parsed.hostname) ? parsed.hostname : 'media-server');
  const path = parsed.pathname
    .split('/')
    .map((segment) => (/^\d+$|^[0-9a-f-]{12,}$|[@%.:]|^[A-Za-z0-9_-]{20,}$/i.test(segment) ? ':id' : segment))
    .join('/');
  return `${method} ${host}${path}`;
}

/**
 * Helpr's Prometheus metrics (`/metrics`, on when METRICS_TOKEN is set), all named helpr_*, plus
 * prom-client's process metrics under their usual names. Counters and histograms are this
 * instance's; the queue and outbox gauges are read from the database at each scrape.
 */
export function createMetrics(deps: { repository: MetricsRepository; clock: Clock; plexUrls?: { tvUrl: string; clientsUrl: string } }) {
  // plex.tv wins where both are one address (the simulator).
  const services: Record<string, string> = deps.plexUrls ? { [new URL(deps.plexUrls.clientsUrl).origin]: 'clients.plex.tv', [new URL(deps.plexUrls.tvUrl).origin]: 'plex.tv' } : {};
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // The two queue gauges are collected together at each scrape: one read of the queue serves both.
  let queueRead: ReturnType<MetricsRepository['inviteQueue']> | undefined;
  const inviteQueue = () => (queueRead ??= deps.repository.inviteQueue().finally(() => (queueRead = undefined)));
  const httpRequests = new Counter({ name: 'helpr_http_requests_total', help: 'HTTP requests answered, by method, route and status.', labelNames: ['method', 'route', 'status'], registers });
  const httpDuration = new Histogram({ name: 'helpr_http_request_duration_seconds', help: 'Time to answer an HTTP request, by method and route.', labelNames: ['method', 'route'], buckets: SECONDS, registers });
  const inviteOutcomes = new Counter({ name: 'helpr_invite_outcomes_total', help: 'Invitation send attempts, by the status they left the invitation in and the error kind (none when it went through).', labelNames: ['status', 'error_kind'], registers });
  const plexDuration = new Histogram({ name: 'helpr_plex_request_duration_seconds', help: 'Plex call latency, by endpoint and status (none: no answer).', labelNames: ['endpoint', 'status'], buckets: SECONDS, registers });
  new Gauge({
    name: 'helpr_invite_queue_depth',
    help: 'Invitations waiting to be sent (queued or between retries).',
    registers,
    async collect() {
      this.set((await inviteQueue()).depth);
    },
  });
  new Gauge({
    name: 'helpr_invite_queue_oldest_age_seconds',
    help: 'Age of the oldest invitation waiting to be sent (0 when none waits).',
    registers,
    async collect() {
      const { oldest } = await inviteQueue();
      this.set(oldest ? Math.max(0, (deps.clock.now().getTime() - Date.parse(oldest)) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'helpr_notification_outbox_depth',
    help: 'Notification deliveries by status (pending, held for a digest, delivered, dead).',
    labelNames: ['status'],
    registers,
    async collect() {
      const counts = new Map((await deps.repository.outbox()).map((row) => [row.status, row.count]));
      for (const status of OUTBOX_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  return {
    registry,
    http(method: string, route: string, status: number, seconds: number): void {
      httpRequests.inc({ method, route, status: String(status) });
      httpDuration.observe({ method, route }, seconds);
    },
    invite(status: string, errorKind: string | null): void {
      inviteOutcomes.inc({ status, error_kind: errorKind ?? 'none' });
    },
    plexCall(call: { method: string; url: string }, seconds: number, status: number | undefined): void {
      plexDuration.observe({ endpoint: plexEndpoint(call.method, call.url, services), status: status === undefined ? 'none' : String(status) }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The delivery, counting each attempt's outcome (what it left the invitation as) when metrics are on. */
export function countInviteOutcomes<T extends { deliver: (...args: never[]) => Promise<{ status: string; error_kind: string | null } | undefined> }>(delivery: T, metrics: Metrics | undefined): T {
  if (!metrics) return delivery;
  return {
    ...delivery,
    async deliver(...args: Parameters<T['deliver']>) {
      const result = await delivery.deliver(...args);
      if (result) metrics.invite(result.status, result.error_kind);
      return result;
    },
  };
}
