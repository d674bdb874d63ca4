import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { manualClock, startPlexSimulator, type PlexSimulator } from './index.js';
import { CLIENT_ID, plexHeaders, plexTv } from './sim-test-kit.js';

const clock = manualClock('2026-03-01T12:00:00Z');
let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator({ clock });
});
afterAll(() => sim.close());
beforeEach(() => {
  clock.set('2026-03-01T12:00:00Z');
  sim.control.reset();
});

const anonymous = (clientId = CLIENT_ID, json = true) => plexHeaders(undefined, { clientId, json });
const createPin = (query = '?strong=true') => plexTv(sim, `/api/v2/pins${query}`, { method: 'POST', headers: anonymous() });
const pollPin = (id: number, clientId = CLIENT_ID) => plexTv(sim, `/api/v2/pins/${id}`, { headers: anonymous(clientId) });

function linkPin(code: string, token: string) {
  return plexTv(sim, '/api/v2/pins/link', {
    method: 'PUT',
    headers: { ...plexHeaders(token), 'X-Plex-Product': 'Plex SSO', 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ code }).toString(),
  });
}

describe('E9 PIN flow', () => {
  it('creates a strong PIN (201, long code) and a short one without strong=true', async () => {
    const strong = await createPin();
    expect(strong.status).toBe(201);
    expect(strong.json()).toMatchObject({
      clientIdentifier: CLIENT_ID,
      authToken: null,
      expiresIn: 900,
      createdAt: '2026-03-01T12:00:00Z',
      expiresAt: '2026-03-01T12:15:00Z',
    });
    expect(strong.json().code).toMatch(/^[a-z0-9]{25}$/);
    expect((await createPin('')).json().code).toMatch(/^[A-Z0-9]{4}$/);
  });

  it('requires a client identifier to create a PIN', async () => {
    const res = await plexTv(sim, '/api/v2/pins?strong=true', { method: 'POST', headers: anonymous('') });
    expect(res.status).toBe(400);
    expect(res.json().errors[0].code).toBe(1000);
  });

  it('returns the token once linked for an account, and the token works', async () => {
    const { id, code } = (await createPin()).json();
    expect((await pollPin(id)).json().authToken).toBeNull();
    expect((await linkPin(code, 'friend-token')).status).toBe(204);
    const polled = (await pollPin(id)).json();
    expect(polled).toMatchObject({ id, newRegistration: false });
    expect(polled.authToken).toEqual(expect.any(String));
    const user = (await plexTv(sim, '/api/v2/user', { headers: plexHeaders(polled.authToken) })).json();
    expect(user.username).toBe('friend');
  });

  it('can be approved through the control API by id or code', async () => {
    const { id, code } = (await createPin()).json();
    const { authToken } = sim.control.approvePin({ code }, 'alice');
    expect((await pollPin(id)).json().authToken).toBe(authToken);
    const other = (await createPin()).json();
    sim.control.approvePin({ id: other.id });
    const token = (await pollPin(other.id)).json().authToken;
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders(token) })).json().id).toBe(12345);
  });

  it('hides a PIN from another client identifier (404/1020)', async () => {
    const { id } = (await createPin()).json();
    const res = await pollPin(id, 'someone-else');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ errors: [{ code: 1020, message: 'Code not found or expired' }] });
  });

  it('expires after 900 s of the injected clock, for polling and linking', async () => {
    const { id, code } = (await createPin()).json();
    clock.advance(899_000);
    expect((await pollPin(id)).status).toBe(200);
    clock.advance(1_000);
    expect((await pollPin(id)).status).toBe(404);
    expect((await linkPin(code, 'friend-token')).status).toBe(404);
    expect(() => sim.control.approvePin({ id })).toThrow(/no live pin/);
    expect((await pollPin(424242)).status).toBe(404);
  });

  it('answers XML with id, code and authToken attributes without Accept', async () => {
    const res = await plexTv(sim, '/api/v2/pins', { method: 'POST', headers: anonymous(CLIENT_ID, false) });
    const pin = res.xml().pin;
    expect(pin.id).toMatch(/^\d+$/);
    expect(pin.code).toMatch(/^[A-Z0-9]{4}$/);
    expect(pin.authToken).toBeUndefined();
  });
});
