import { afterEach, describe, expect, it } from 'vitest';
import { plexEndpoint } from '../../src/modules/metrics/metrics.js';
import type { TestApp } from '../helpers/app.js';
import { useSimulator } from '../helpers/plex-sim.js';
import { createReadyApp } from '../helpers/ready-app.js';

const TOKEN = 'metrics-token-0123456789';
const OWNER = { name: 'owner', type: 'admin' as const, ip: '127.0.0.1' };

/** /metrics (issue 15): off unless METRICS_TOKEN is set, then answered only to that bearer token, in Prometheus' format. */
describe('metrics', () => {
  const ctx = useSimulator();
  const open: TestApp[] = [];
  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
  });
  async function app(env: Record<string, string> = { METRICS_TOKEN: TOKEN }) {
    const t = await createReadyApp(ctx.sim, { env, libraries: ['1'] });
    open.push(t);
    return t;
  }
  const scrape = async (t: TestApp) => {
    const response = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    return response.body;
  };

  it('is not there without METRICS_TOKEN', async () => {
    const t = await app({});
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(404);
  });

  it('answers only the bearer of the token', async () => {
    const t = await app();
    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, TOKEN, `Basic ${TOKEN}`]) {
      const response = await t.app.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="helpr-metrics"');
      expect(response.body).not.toContain('helpr_');
    }
    const ok = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(ok.headers['cache-control']).toBe('no-store');
  });

  it('counts requests by route and status, with process metrics under their usual names', async () => {
    const t = await app();
    await t.app.inject({ url: '/healthz' });
    await t.app.inject({ url: '/no-such-page' });
    await t.app.inject({ url: '/join/NOPE-CODE' });
    const body = await scrape(t);
    expect(body).toContain('helpr_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    expect(body).toContain('helpr_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(body).toMatch(/helpr_http_requests_total\{method="GET",route="\/join\/:code",status="\d{3}"\} 1/);
    expect(body).toContain('helpr_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/healthz"}');
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    // Every metric of Helpr's own is named helpr_*.
    const names = new Set([...body.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]!));
    expect([...names].filter((name) => !/^(helpr_|process_|nodejs_)/.test(name))).toEqual([]);
  });

  it('counts invite outcomes, Plex call latency by endpoint, the queue and the outbox', async () => {
    const t = await app();
    expect(await scrape(t)).toContain('helpr_invite_queue_depth 0');
    await t.deps.services.adminInvitations.invite({ email: 'alice@example.com' }, OWNER, 'admin');
    ctx.sim.control.addFault({ kind: 'status', status: 503 });
    await t.deps.services.adminInvitations.invite({ email: 'bob@example.com' }, OWNER, 'admin');
    t.clock.advance(90_000);
    const body = await scrape(t);
    expect(body).toContain('helpr_invite_outcomes_total{status="sent",error_kind="none"} 1');
    expect(body).toMatch(/helpr_invite_outcomes_total\{status="pending",error_kind="upstream"\} 1/);
    expect(body).toContain('helpr_invite_queue_depth 1');
    expect(body).toContain('helpr_invite_queue_oldest_age_seconds 90');
    expect(body).toContain('helpr_plex_request_duration_seconds_count{endpoint="POST plex.tv/api/servers/:id/shared_servers",status="200"} 1');
    expect(body).toContain('helpr_plex_request_duration_seconds_count{endpoint="POST plex.tv/api/servers/:id/shared_servers",status="503"} 1');
    expect(body).toContain('helpr_notification_outbox_depth{status="pending"} 0');
    expect(body).toContain('helpr_notification_outbox_depth{status="dead"} 0');
    // Friends' addresses and names never become labels.
    expect(body).not.toContain('alice');
    expect(body).not.toContain('bob');
  });
});

describe('plexEndpoint', () => {
  it('keeps the host and path, with ids, tokens and names as :id, and the owner server as media-server', () => {
    expect(plexEndpoint('POST', 'https://clients.plex.tv/api/v2/shared_servers')).toBe('POST clients.plex.tv/api/v2/shared_servers');
    expect(plexEndpoint('DELETE', 'https://plex.tv/api/v2/shared_servers/123456789?X-Plex-Token=abc')).toBe('DELETE plex.tv/api/v2/shared_servers/:id');
    expect(plexEndpoint('GET', 'https://plex.tv/api/servers/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567/shared_servers')).toBe('GET plex.tv/api/servers/:id/shared_servers');
    expect(plexEndpoint('GET', 'https://plex.tv/api/v2/friends/alice@example.com')).toBe('GET plex.tv/api/v2/friends/:id');
    expect(plexEndpoint('GET', 'http://192.168.1.20:32400/library/sections')).toBe('GET media-server/library/sections');
    // The configured plex.tv (the simulator in tests) is named plex.tv.
    expect(plexEndpoint('GET', 'http://127.0.0.1:9000/api/v2/user', { 'http://127.0.0.1:9000': 'plex.tv' })).toBe('GET plex.tv/api/v2/user');
  });
});
