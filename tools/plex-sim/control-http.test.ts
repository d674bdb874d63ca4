import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, type PlexSimulator } from './index.js';
import { plexHeaders, plexTv, send } from './sim-test-kit.js';

let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const control = (method: string, path: string, body?: unknown) =>
  send(`${sim.plexTvUrl}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });

describe('control HTTP API', () => {
  it('adds a fault, lists it, and removes it by id', async () => {
    const fault = { kind: 'rate-limit', path: '/api/v2/user', retryAfterSeconds: 3, times: 1 };
    const created = await control('POST', '/faults', fault);
    expect(created.status).toBe(201);
    const { id } = created.json();
    expect((await control('GET', '/faults')).json()).toMatchObject([{ id, kind: 'rate-limit', remaining: 1 }]);
    expect((await control('DELETE', `/rules/${id}`)).status).toBe(204);
    expect((await plexTv(sim, '/api/v2/user')).status).toBe(200);
    expect((await control('DELETE', `/rules/${id}`)).status).toBe(404);
  });

  it('rejects an invalid fault with 400 and details', async () => {
    const res = await control('POST', '/faults', { kind: 'explode' });
    expect(res.status).toBe(400);
    expect(res.json().error).toBe('invalid body');
  });

  it('revokes and restores a token, and refuses an unknown one', async () => {
    expect((await control('POST', '/tokens/revoke', { token: 'friend-token' })).status).toBe(204);
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders('friend-token') })).status).toBe(422);
    expect((await control('POST', '/tokens/restore', { token: 'friend-token' })).status).toBe(204);
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders('friend-token') })).status).toBe(200);
    expect((await control('POST', '/tokens/revoke', { token: 'nobody' })).status).toBe(400);
  });

  it('expires a token: every later call answers 401, v1 and v2 alike', async () => {
    expect((await control('POST', '/tokens/expire', { token: 'friend-token' })).status).toBe(204);
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders('friend-token') })).status).toBe(401);
    expect((await plexTv(sim, '/api/users', { headers: plexHeaders('friend-token') })).status).toBe(401);
    expect((await control('POST', '/tokens/expire', { token: 'friend-token' })).status).toBe(400);
  });

  it('issues a new token for an account, as signing in again does', async () => {
    const issued = await control('POST', '/tokens/issue', {});
    expect(issued.status).toBe(201);
    const { token } = issued.json();
    expect(token).not.toBe(sim.ownerToken);
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders(token) })).json().username).toBe('owner');
    const bob = (await control('POST', '/tokens/issue', { account: 'bob' })).json().token;
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders(bob) })).json().username).toBe('bob');
    expect((await control('POST', '/tokens/issue', { account: 'nobody' })).status).toBe(400);
  });

  it('holds requests until released, and lists what each hold keeps', async () => {
    const created = await control('POST', '/holds', { path: '/api/v2/user', stage: 'answer' });
    expect(created.status).toBe(201);
    const { id } = created.json();
    const held = plexTv(sim, '/api/v2/user');
    await expect.poll(async () => (await control('GET', '/holds')).json()).toMatchObject([{ id, path: '/api/v2/user', stage: 'answer', held: 1 }]);
    expect((await control('POST', `/holds/${id}/release`)).json()).toEqual({ released: 1 });
    expect((await held).status).toBe(200);
    expect((await control('GET', '/holds')).json()).toEqual([]);
    expect((await control('POST', `/holds/${id}/release`)).status).toBe(400);
    expect((await control('POST', '/holds', { stage: 'later' })).status).toBe(400);
  });

  it('switches behaviours and approves PINs', async () => {
    const behaviour = (await control('PUT', '/behaviour', { v1SharingGone: true, v2DuplicateStatus: 409 })).json();
    expect(behaviour).toMatchObject({ v1SharingGone: true, v2DuplicateStatus: 409 });
    expect((await plexTv(sim, `/api/servers/${sim.machineIdentifier}/shared_servers`)).status).toBe(410);

    const pin = (await plexTv(sim, '/api/v2/pins', { method: 'POST', headers: plexHeaders() })).json();
    const approved = await control('POST', '/pins/approve', { id: pin.id, account: 'bob@example.com' });
    const token = approved.json().authToken;
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders(token) })).json().username).toBe('bob');
    expect((await control('POST', '/pins/approve', { code: 'NOPE' })).status).toBe(400);
  });

  it('sets latency, reads log and counters, and resets everything', async () => {
    expect((await control('PUT', '/latency', { ms: 0 })).status).toBe(204);
    await plexTv(sim, '/api/v2/ping');
    expect((await control('GET', '/log?path=/api/v2')).json()).toMatchObject([{ path: '/api/v2/ping', status: 200 }]);
    expect((await control('GET', '/counters')).json().plexTv.total).toBe(1);
    await control('POST', '/accounts', { username: 'carol', email: 'carol@example.com' });
    expect(sim.control.state().accounts.map((account) => account.username)).toContain('carol');
    expect((await control('POST', '/reset')).status).toBe(204);
    expect(sim.control.state().accounts.map((account) => account.username)).not.toContain('carol');
    expect((await control('GET', '/counters')).json().plexTv.total).toBe(0);
  });

  it('adds and removes libraries', async () => {
    const added = await control('POST', '/libraries', { id: 35723999, key: 9, title: 'Photos', type: 'photo' });
    expect(added.status).toBe(201);
    expect((await control('DELETE', '/libraries/35723967')).status).toBe(204);
    expect(sim.control.state().server.libraries.map((lib) => lib.key)).toEqual([2, 3, 9]);
    expect((await control('DELETE', '/libraries/35723967')).status).toBe(400);
  });

  it('answers JSON 404 for an unknown control route', async () => {
    const res = await control('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: 'unknown control route' });
  });
});
