import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, startPlexSimulator, type PlexSimulator } from './index.js';
import { APP_AUTH_HTML } from './app-auth-html.js';
import { buildPlexTvApp } from './plex-tv-app.js';
import { createControl } from './control.js';
import type { SimContext } from './context.js';
import { instrument, trackConnections } from './instrument.js';
import { resolveSeed } from './seed.js';
import { DEFAULT_BEHAVIOUR, SimState } from './sim-state.js';
import { CLIENT_ID, plexHeaders, plexTv, send } from './sim-test-kit.js';
import { TrafficLog } from './traffic-log.js';
import { TrafficRules } from './traffic-rules.js';

const clock = manualClock('2026-03-01T12:00:00Z');

/** The plex.tv app as the simulator builds it (instrumented), for inject tests. */
function buildApp() {
  const createState = () => new SimState(resolveSeed(), clock, { pinTtlSeconds: 900, behaviour: DEFAULT_BEHAVIOUR });
  const ctx: SimContext = { state: createState(), pms: { host: '127.0.0.1', port: 0, unreachablePort: null } };
  const log = new TrafficLog(clock, 100);
  const rules = { 'plex-tv': new TrafficRules('plex-tv', 0), pms: new TrafficRules('pms', 0) };
  const control = createControl({ ctx, createState, rules, log });
  const app = buildPlexTvApp(ctx, control, (plexTvApp) =>
    instrument(plexTvApp, {
      target: 'plex-tv',
      rules: rules['plex-tv'],
      log,
      shutdown: new AbortController().signal,
      sockets: trackConnections(plexTvApp, () => log.recordConnection('plex-tv')),
    }),
  );
  return { app, control };
}

let built: ReturnType<typeof buildApp>;
beforeAll(() => {
  built = buildApp();
});
afterAll(() => built.app.close());
beforeEach(() => {
  clock.set('2026-03-01T12:00:00Z');
  built.control.reset();
});

const createPin = async () => {
  const res = await built.app.inject({ method: 'POST', url: '/api/v2/pins?strong=true', headers: plexHeaders() });
  return res.json<{ id: number; code: string }>();
};
const lookup = (code?: string) => built.app.inject({ method: 'GET', url: `/__sim/app/pin${code === undefined ? '' : `?code=${encodeURIComponent(code)}`}` });

describe('the app.plex.tv sign-in page', () => {
  it.each(['/auth', '/auth/'])('GET %s serves the page, never cached', async (url) => {
    const res = await built.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toBe(APP_AUTH_HTML);
    // What headless tests click and read.
    expect(res.body).toContain('<h1 id="heading">Sign in to Plex</h1>');
    expect(res.body).toContain('>Cancel</a>');
    expect(res.body).toContain("'Sign in as ' + account.username");
    expect(res.body).toContain("'This link has expired'");
    expect(res.body).toContain("'Signed in. You can close this window.'");
    expect(res.body).toContain("'X-Plex-Product': 'Plex SSO'");
  });

  it('looks a live PIN up by code: its product and every account but the owner, confirmed or not', async () => {
    built.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const { code } = await createPin();
    const res = await lookup(code.toUpperCase());
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      code,
      product: 'Helpr tests',
      expiresAt: '2026-03-01T12:15:00.000Z',
      accounts: [
        { id: expect.any(Number), username: 'friend', email: 'friend@example.com', confirmed: true },
        { id: expect.any(Number), username: 'alice', email: 'alice@example.com', confirmed: true },
        { id: expect.any(Number), username: 'bob', email: 'bob@example.com', confirmed: true },
        { id: expect.any(Number), username: 'newbie', email: 'newbie@example.com', confirmed: false },
      ],
    });
  });

  it('answers 404 "This link has expired" for a missing, unknown or expired code', async () => {
    const { code } = await createPin();
    clock.advance(899_000);
    expect((await lookup(code)).statusCode).toBe(200);
    clock.advance(1_000);
    for (const res of [await lookup(code), await lookup('nosuchcode'), await lookup(''), await lookup()]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'This link has expired' });
    }
  });

  it('is not plex.tv traffic: never logged, counted, delayed or faulted; the link it makes is', async () => {
    built.control.addFault({ kind: 'status', status: 503, path: '/' });
    built.control.addFault({ kind: 'status', status: 503, path: '/' });
    expect((await built.app.inject({ method: 'GET', url: '/auth' })).statusCode).toBe(200);
    expect((await lookup('nosuchcode')).statusCode).toBe(404);
    expect(built.control.requestLog()).toEqual([]);
    expect(built.control.counters().plexTv.total).toBe(0);
    const link = await built.app.inject({ method: 'PUT', url: '/api/v2/pins/link', headers: plexHeaders('friend-token'), payload: {} });
    expect(link.statusCode).toBe(503);
    expect(built.control.requestLog().map((entry) => `${entry.method} ${entry.path}`)).toEqual(['PUT /api/v2/pins/link']);
  });
});

describe('signing in through the page', () => {
  let sim: PlexSimulator;
  beforeAll(async () => {
    sim = await startPlexSimulator({ clock });
  });
  afterAll(() => sim.close());

  /** What the page does on "Sign in as <username>", from the address Helpr opens. */
  async function signInThroughPage(authUrl: string, username: string) {
    const url = new URL(authUrl);
    expect(url.pathname).toBe('/auth');
    const hash = new URLSearchParams(url.hash.replace(/^#!?\??/, ''));
    const found = await send(`${url.origin}/__sim/app/pin?code=${encodeURIComponent(hash.get('code')!)}`);
    expect(found.status).toBe(200);
    const account = found.json().accounts.find((a: { username: string }) => a.username === username);
    const issued = await send(`${url.origin}/__sim/tokens/issue`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ account: account.id }),
    });
    return send(`${url.origin}/api/v2/pins/link`, {
      method: 'PUT',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Plex-Token': issued.json().token,
        'X-Plex-Product': 'Plex SSO',
        'X-Plex-Client-Identifier': 'plex-sim-app',
      },
      body: new URLSearchParams({ code: hash.get('code')! }).toString(),
    });
  }

  it('approves the PIN for the chosen account: the next poll returns a token of that account', async () => {
    const pin = (await plexTv(sim, '/api/v2/pins?strong=true', { method: 'POST', headers: plexHeaders() })).json();
    // The address Helpr builds (plex-tv.client.ts authUrl), with the simulator as PLEX_APP_URL.
    const params = new URLSearchParams({ clientID: CLIENT_ID, code: pin.code, 'context[device][product]': 'Helpr', forwardUrl: 'http://helpr.test/back' });
    const linked = await signInThroughPage(`${sim.plexTvUrl}/auth#?${params.toString()}`, 'alice');
    expect(linked.status).toBe(204);

    const polled = (await plexTv(sim, `/api/v2/pins/${pin.id}`, { headers: plexHeaders() })).json();
    expect(polled.authToken).toEqual(expect.any(String));
    const user = (await plexTv(sim, '/api/v2/user', { headers: plexHeaders(polled.authToken) })).json();
    expect(user.username).toBe('alice');
    expect(sim.control.state().pins.find((p) => p.id === pin.id)?.approvedFor).toBe(user.id);
    expect(sim.control.requestLog({ path: '/api/v2/pins/link' })).toMatchObject([{ method: 'PUT', status: 204, headers: { 'x-plex-product': 'Plex SSO' } }]);
  });
});
