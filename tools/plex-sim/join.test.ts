import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPlexSimulator, UNCONFIRMED_ACCEPT_ERROR, type PlexSimulator } from './index.js';
import { plexHeaders, plexTv, send, sendJson } from './sim-test-kit.js';

/** What "Join with Plex" (issue 12) needs from the simulator: confirmed accounts, invites by id, adding libraries, faults and counts. */
let sim: PlexSimulator;
beforeAll(async () => {
  sim = await startPlexSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.control.reset());

const MOVIES = 35723967;
const TV = 35723968;
const MUSIC = 35723970;
const FRIEND_ID = 22526914;

const control = (method: string, path: string, body?: unknown) =>
  send(`${sim.plexTvUrl}/__sim${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });

const v1Path = () => `/api/servers/${sim.machineIdentifier}/shared_servers`;
const inviteV1ById = (id: unknown, ids = [MOVIES]) =>
  sendJson(sim, 'POST', v1Path(), { server_id: sim.machineIdentifier, shared_server: { library_section_ids: ids, invited_id: id } });
const inviteV2ById = (invitedId: unknown, ids = [MOVIES]) =>
  sendJson(sim, 'POST', '/api/v2/shared_servers', { machineIdentifier: sim.machineIdentifier, invitedId, librarySectionIds: ids });
const accept = (v2Id: number, token: string) => sendJson(sim, 'POST', `/api/v2/shared_servers/${v2Id}/accept`, undefined, token);

describe('confirmed accounts', () => {
  it('shows confirmed in /api/v2/user, JSON and XML: true by default, false for an account created unconfirmed', async () => {
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders('friend-token') })).json().confirmed).toBe(true);
    const created = await control('POST', '/accounts', { username: 'newbie', email: 'newbie@example.com', confirmed: false });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ username: 'newbie', confirmed: false, token: 'newbie-token' });

    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders('newbie-token') })).json().confirmed).toBe(false);
    const xml = await plexTv(sim, '/api/v2/user', { headers: plexHeaders('newbie-token', { json: false }) });
    expect(xml.xml().user).toMatchObject({ username: 'newbie', confirmed: '0' });
    const ownerXml = await plexTv(sim, '/api/v2/user', { headers: plexHeaders(sim.ownerToken, { json: false }) });
    expect(ownerXml.xml().user.confirmed).toBe('1');
  });

  it('confirms an account through the control API (by username, email or id) and refuses an unknown one', async () => {
    const newbie = sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const confirmed = await control('POST', '/accounts/confirm', { account: 'newbie@example.com' });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json()).toMatchObject({ id: newbie.id, confirmed: true });
    expect((await plexTv(sim, '/api/v2/user', { headers: plexHeaders(newbie.token) })).json().confirmed).toBe(true);
    expect(sim.control.state().accounts.find((a) => a.id === newbie.id)?.confirmed).toBe(true);
    expect(sim.control.confirmAccount(FRIEND_ID)).toMatchObject({ username: 'friend', confirmed: true });
    expect((await control('POST', '/accounts/confirm', { account: 'nobody' })).status).toBe(400);
    expect((await control('POST', '/accounts/confirm', {})).status).toBe(400);
  });

  it('takes confirmed from the seed, and reset brings an account back unconfirmed', async () => {
    const seeded = await startPlexSimulator({
      seed: { friends: [{ id: 7, uuid: '0000000000000007', username: 'fresh', email: 'fresh@example.com', token: 'fresh-token', confirmed: false }] },
    });
    try {
      seeded.control.confirmAccount('fresh');
      seeded.control.reset();
      expect(seeded.control.state().accounts.find((a) => a.username === 'fresh')?.confirmed).toBe(false);
    } finally {
      await seeded.close();
    }
  });
});

describe('accepting with an unconfirmed account', () => {
  async function pendingFor(username: string): Promise<number> {
    const account = sim.control.state().accounts.find((a) => a.username === username)!;
    const res = await inviteV2ById(account.id);
    expect(res.status).toBe(201);
    return res.json().id as number;
  }

  it('is refused with the assumed 400/1069 error, JSON or XML, and the invite stays pending until the email is confirmed', async () => {
    const newbie = sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const id = await pendingFor('newbie');

    const refused = await accept(id, newbie.token);
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual({
      errors: [{ code: 1069, message: 'Please confirm your email address before accepting invitations', status: 400 }],
    });
    const xml = await plexTv(sim, `/api/v2/shared_servers/${id}/accept`, { method: 'POST', headers: plexHeaders(newbie.token, { json: false }) });
    expect(xml.xml().errors.error[0]).toMatchObject({ code: '1069', status: '400' });
    expect(sim.control.state().pending).toMatchObject([{ v2Id: id, accepted: false }]);
    // The invite is still listed for the friend: the refusal is about the account, not the invite.
    const received = (await plexTv(sim, '/api/v2/shared_servers/invites/received/pending', { headers: plexHeaders(newbie.token) })).json();
    expect(received[0].sharedServers.map((s: { id: number }) => s.id)).toEqual([id]);

    sim.control.confirmAccount('newbie');
    expect((await accept(id, newbie.token)).status).toBe(200);
    expect(sim.control.state().accepted).toMatchObject([{ v2Id: id, invitedId: newbie.id }]);
  });

  it('answers 404, not the refusal, for an invite the account does not have', async () => {
    const newbie = sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    expect((await accept(987654321, newbie.token)).status).toBe(404);
  });

  it('is configurable: another answer, or none at all (null lets the account accept)', async () => {
    const newbie = sim.control.addAccount({ username: 'newbie', email: 'newbie@example.com', confirmed: false });
    const id = await pendingFor('newbie');
    const behaviour = await control('PUT', '/behaviour', { unconfirmedAcceptError: { status: 403, code: 1070, message: 'Email not verified' } });
    expect(behaviour.json().unconfirmedAcceptError).toEqual({ status: 403, code: 1070, message: 'Email not verified' });
    expect((await accept(id, newbie.token)).json()).toEqual({ errors: [{ code: 1070, message: 'Email not verified', status: 403 }] });

    expect((await control('PUT', '/behaviour', { unconfirmedAcceptError: null })).json().unconfirmedAcceptError).toBeNull();
    expect((await accept(id, newbie.token)).status).toBe(200);

    sim.control.reset();
    expect(sim.control.state().behaviour.unconfirmedAcceptError).toEqual(UNCONFIRMED_ACCEPT_ERROR);
    expect((await control('PUT', '/behaviour', { unconfirmedAcceptError: { status: 200, code: 1, message: 'x' } })).status).toBe(400);
  });
});

describe('invites by account id', () => {
  it('v1 invited_id shares with that account, which sees and accepts the invite', async () => {
    const res = await inviteV1ById(FRIEND_ID, [MOVIES, TV]);
    expect(res.status).toBe(200);
    expect(res.xml().MediaContainer.SharedServer[0]).toMatchObject({ username: 'friend', userID: String(FRIEND_ID) });
    expect(sim.control.state().pending).toMatchObject([{ invitedId: FRIEND_ID, invitedEmail: null, libraryIds: [MOVIES, TV] }]);
    const received = (await plexTv(sim, '/api/v2/shared_servers/invites/received/pending', { headers: plexHeaders('friend-token') })).json();
    expect(received).toMatchObject([{ owner: { id: 12345, username: 'owner' }, sharedServers: [{ machineIdentifier: sim.machineIdentifier }] }]);
  });

  it('v2 invitedId shares with that account (a digit string too)', async () => {
    const res = await inviteV2ById(String(FRIEND_ID), [MUSIC]);
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ invitedId: FRIEND_ID, invited: { username: 'friend' }, accepted: false });
  });

  it('answers 400 for an unknown id (v1 XML, v2 JSON) and shares nothing', async () => {
    const v1 = await inviteV1ById(999);
    expect(v1.status).toBe(400);
    expect(v1.xml().Response).toMatchObject({ code: '400', status: 'User 999 could not be found' });
    const v2 = await inviteV2ById(999);
    expect(v2.status).toBe(400);
    expect(v2.json().errors[0]).toMatchObject({ status: 400, message: 'User 999 could not be found' });
    expect(sim.control.state().shares).toEqual([]);
  });

  it('refuses the owner\'s own id, and a second invite to the same account is "already sharing"', async () => {
    expect((await inviteV2ById(12345)).status).toBe(400);
    expect((await inviteV1ById(FRIEND_ID)).status).toBe(200);
    const again = await inviteV1ById(FRIEND_ID);
    expect(again.status).toBe(400);
    expect(again.text).toContain("You're already sharing this server with friend");
    expect((await inviteV2ById(FRIEND_ID)).status).toBe(422);
  });

  it('an invite by email first and by id later is one share (the email resolves to the account)', async () => {
    const first = await sendJson(sim, 'POST', v1Path(), { shared_server: { library_section_ids: [MOVIES], invited_email: 'friend@example.com' } });
    expect(first.status).toBe(200);
    expect((await inviteV1ById(FRIEND_ID)).status).toBe(400);
  });
});

describe('adding libraries to an existing share', () => {
  async function v1Share(accepted: boolean) {
    const res = await inviteV1ById(FRIEND_ID, [MOVIES]);
    const [share] = sim.control.state().shares;
    if (accepted) expect((await accept(share!.v2Id, 'friend-token')).status).toBe(200);
    expect(res.status).toBe(200);
    return share!;
  }

  it.each([false, true])('E7c (v2 POST) adds libraries to a share (accepted: %s), which stays as it was', async (accepted) => {
    const share = await v1Share(accepted);
    const res = await sendJson(sim, 'POST', `/api/v2/shared_servers/${share.v2Id}`, { librarySectionIds: [MOVIES, MUSIC] });
    expect(res.status).toBe(200);
    expect(res.json().libraries.map((l: { id: number }) => l.id)).toEqual([MOVIES, MUSIC]);
    expect(sim.control.state().shares).toMatchObject([{ v2Id: share.v2Id, accepted, libraryIds: [MOVIES, MUSIC] }]);
  });

  it.each([false, true])('E7a (v1 PUT) adds libraries to a share (accepted: %s)', async (accepted) => {
    const share = await v1Share(accepted);
    const res = await sendJson(sim, 'PUT', `${v1Path()}/${share.v1Id}`, { server_id: sim.machineIdentifier, shared_server: { library_section_ids: [MOVIES, TV] } });
    expect(res.status).toBe(200);
    const sections = res.xml().MediaContainer.SharedServer[0].Section as Array<{ id: string; shared: string }>;
    expect(sections.filter((s) => s.shared === '1').map((s) => Number(s.id))).toEqual([MOVIES, TV]);
    expect(sim.control.state().shares).toMatchObject([{ accepted, libraryIds: [MOVIES, TV] }]);
  });

  it('a pending invite with added libraries is accepted with all of them', async () => {
    const share = await v1Share(false);
    await sendJson(sim, 'POST', `/api/v2/shared_servers/${share.v2Id}`, { librarySectionIds: [MOVIES, TV] });
    const received = (await plexTv(sim, '/api/v2/shared_servers/invites/received/pending', { headers: plexHeaders('friend-token') })).json();
    expect(received[0].sharedServers[0].libraries.map((l: { id: number }) => l.id)).toEqual([MOVIES, TV]);
  });
});

describe('faults and counts on the share and accept paths', () => {
  it('a fault on the v2 share POST (exact regex) leaves updates and accepts alone; counts per route and path', async () => {
    sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '^/api/v2/shared_servers$', times: 1 });
    expect((await inviteV2ById(FRIEND_ID)).status).toBe(503);
    expect(sim.control.state().shares).toEqual([]);
    const made = await inviteV2ById(FRIEND_ID);
    expect(made.status).toBe(201);
    const { id } = made.json();
    expect((await sendJson(sim, 'POST', `/api/v2/shared_servers/${id}`, { librarySectionIds: [MOVIES, TV] })).status).toBe(200);
    expect((await accept(id, 'friend-token')).status).toBe(200);

    expect(sim.control.requestLog({ method: 'POST', route: '/api/v2/shared_servers' }).map((e) => e.status)).toEqual([503, 201]);
    const { byRoute, byPath } = sim.control.counters().plexTv;
    expect(byRoute).toMatchObject({ 'POST /api/v2/shared_servers': 2, 'POST /api/v2/shared_servers/:id': 1, 'POST /api/v2/shared_servers/:id/accept': 1 });
    expect(byPath[`POST /api/v2/shared_servers/${id}/accept`]).toBe(1);
  });

  it('a fault on the accept POST fails the accept only; the invite stays pending and a later accept works', async () => {
    const { id } = (await inviteV2ById(FRIEND_ID)).json();
    sim.control.addFault({ kind: 'status', status: 503, method: 'POST', pathRegex: '/accept$', times: 1 });
    expect((await accept(id, 'friend-token')).status).toBe(503);
    expect(sim.control.state().pending).toHaveLength(1);
    expect((await accept(id, 'friend-token')).status).toBe(200);
    expect(sim.control.requestLog({ route: '/api/v2/shared_servers/:id/accept' }).map((e) => `${e.method} ${e.status}`)).toEqual(['POST 503', 'POST 200']);
  });

  it('a fault on the v1 share POST leaves the v1 list and updates alone', async () => {
    sim.control.addFault({ kind: 'rate-limit', method: 'POST', path: '/api/servers/', retryAfterSeconds: 5, times: 1 });
    expect((await inviteV1ById(FRIEND_ID)).status).toBe(429);
    expect((await plexTv(sim, v1Path())).status).toBe(200);
    expect((await inviteV1ById(FRIEND_ID)).status).toBe(200);
    expect(sim.control.counters().plexTv.byRoute['POST /api/servers/:mid/shared_servers']).toBe(2);
  });

  it('the control API filters the log by route', async () => {
    const { id } = (await inviteV2ById(FRIEND_ID)).json();
    await accept(id, 'friend-token');
    const log = await control('GET', `/log?method=POST&route=${encodeURIComponent('/api/v2/shared_servers/:id/accept')}`);
    expect(log.json()).toMatchObject([{ path: `/api/v2/shared_servers/${id}/accept`, status: 200 }]);
  });
});
