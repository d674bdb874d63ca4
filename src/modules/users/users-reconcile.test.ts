import { describe, expect, it } from 'vitest';
import type { PlexPendingInvite, PlexSharedServer } from '../../plex/plex.schemas.js';
import { peopleOnServer, type SeenPerson } from './plex-people.js';
import { reconcile } from './users-reconcile.js';
import type { PlexUserRow } from './users.repository.js';

const MID = 'server-1';
const NOW = '2026-11-24T12:00:00.000Z';
const THEN = '2026-11-01T00:00:00.000Z';

const share = (patch: Partial<PlexSharedServer>): PlexSharedServer => ({ id: 1, machineIdentifier: MID, accepted: true, libraries: [], ...patch }) as PlexSharedServer;
const seen = (patch: Partial<SeenPerson>): SeenPerson => ({ key: 'account:7', accountId: '7', username: 'friend', email: 'friend@example.com', state: 'active', libraries: ['1'], allLibraries: false, shareId: '70', invitedAt: null, permissions: null, ...patch });
const local = (patch: Partial<PlexUserRow>): PlexUserRow => ({
  id: 'u1',
  plex_key: 'account:7',
  plex_account_id: '7',
  username: 'friend',
  email: 'friend@example.com',
  search_text: 'friend friend@example.com',
  state: 'active',
  source: 'helpr',
  invitation_id: 'inv-1',
  libraries: '["1"]',
  all_libraries: 0,
  share_id: '70',
  invited_at: THEN,
  accepted_at: THEN,
  expires_at: null,
  removed_at: null,
  last_synced_at: THEN,
  created_at: THEN,
  updated_at: THEN,
  permissions: null,
  expiry_notice_for: null,
  ...patch,
});

describe('people on the server, from plex.tv lists', () => {
  it('keys people by account id, or by email for an invite to an address with no account, and keeps only this server', () => {
    const accepted = [
      share({ id: 10, invitedId: 7, invited: { id: 7, username: 'friend', email: 'Friend@Example.com' }, libraries: [{ id: 900, key: 1 }, { id: 901 }], allLibraries: false, invitedAt: 1_700_000_000 }),
      share({ id: 11, machineIdentifier: 'other', invitedId: 8 }),
    ];
    const pending: PlexPendingInvite[] = [
      { invitedEmail: 'new@example.com', createdAt: '2026-11-20T00:00:00Z', sharedServers: [{ id: 12, machineIdentifier: MID, libraries: [{ id: 900, key: 1 }] }] } as PlexPendingInvite,
      { invited: { id: 9, username: 'nine', title: 'Nine' }, sharedServers: [{ id: 13, machineIdentifier: 'other' }] } as PlexPendingInvite,
      { sharedServers: [{ id: 14, machineIdentifier: MID }] } as PlexPendingInvite,
    ];
    expect(peopleOnServer(accepted, pending, MID)).toEqual([
      { key: 'email:new@example.com', accountId: null, username: null, email: 'new@example.com', state: 'pending', libraries: ['1'], allLibraries: false, shareId: '12', invitedAt: '2026-11-20T00:00:00.000Z', permissions: null },
      // A library plex.tv names by global id only is left out; the email is lower-cased.
      { key: 'account:7', accountId: '7', username: 'friend', email: 'friend@example.com', state: 'active', libraries: ['1'], allLibraries: false, shareId: '10', invitedAt: '2023-11-14T22:13:20.000Z', permissions: null },
    ]);
  });

  it('takes the accepted share over a pending invite of the same person', () => {
    const accepted = [share({ id: 20, invitedId: 7, allLibraries: true })];
    const pending = [{ invited: { id: 7, username: 'friend' }, sharedServers: [{ id: 21, machineIdentifier: MID }] } as PlexPendingInvite];
    expect(peopleOnServer(accepted, pending, MID)).toEqual([expect.objectContaining({ key: 'account:7', state: 'active', shareId: '20', allLibraries: true })]);
  });
});

describe('reconcile', () => {
  it('adds new people, linked to the Helpr request by account id first, then by email or username', () => {
    const result = reconcile(
      [],
      [seen({}), seen({ key: 'account:8', accountId: '8', username: 'Eight', email: null, shareId: '80' }), seen({ key: 'email:x@example.com', accountId: null, username: null, email: 'x@example.com', state: 'pending' })],
      [
        { invitationId: 'by-name-old', identifier: 'friend@example.com', accountId: null },
        { invitationId: 'by-account', identifier: 'someone-else', accountId: '7' },
        { invitationId: 'eight', identifier: 'eight', accountId: null },
      ],
      NOW,
    );
    expect(result.inserts.map((row) => [row.plex_key, row.source, row.invitation_id, row.state, row.accepted_at])).toEqual([
      ['account:7', 'helpr', 'by-account', 'active', NOW],
      ['account:8', 'helpr', 'eight', 'active', NOW],
      ['email:x@example.com', 'plex', null, 'pending', null],
    ]);
    expect(result.changes.map((change) => `${change.action} ${change.name}`)).toEqual(['user.found friend', 'user.found Eight', 'user.found x@example.com']);
    expect(result.updates).toEqual([]);
  });

  it('writes nothing for someone unchanged, and moves an invite to an address to the account that accepted it', () => {
    expect(reconcile([local({})], [seen({})], [], NOW)).toEqual({ inserts: [], updates: [], changes: [] });
    const invited = local({ plex_key: 'email:new@example.com', plex_account_id: null, username: null, email: 'new@example.com', state: 'pending', accepted_at: null, share_id: '12' });
    const result = reconcile([invited], [seen({ key: 'account:9', accountId: '9', username: 'newbie', email: 'new@example.com', shareId: '90' })], [], NOW);
    expect(result.inserts).toEqual([]);
    expect(result.updates).toEqual([
      { id: 'u1', set: { plex_key: 'account:9', plex_account_id: '9', username: 'newbie', search_text: 'newbie new@example.com', share_id: '90', state: 'active', removed_at: null, accepted_at: NOW, updated_at: NOW } },
    ]);
    expect(result.changes).toEqual([{ userId: 'u1', action: 'user.accepted', name: 'newbie', details: { from: 'pending', to: 'active' } }]);
  });

  it('marks people with access who are no longer listed removed, and leaves the expired and removed alone', () => {
    const rows = [local({ id: 'a' }), local({ id: 'p', plex_key: 'account:2', state: 'pending' }), local({ id: 'e', plex_key: 'account:3', state: 'expired' }), local({ id: 'r', plex_key: 'account:4', state: 'removed' })];
    const result = reconcile(rows, [], [], NOW);
    expect(result.updates).toEqual([
      { id: 'a', set: { state: 'removed', removed_at: NOW, last_synced_at: NOW, updated_at: NOW } },
      { id: 'p', set: { state: 'removed', removed_at: NOW, last_synced_at: NOW, updated_at: NOW } },
    ]);
    expect(result.changes.map((change) => [change.userId, change.action, change.details])).toEqual([
      ['a', 'user.removed_in_plex', { from: 'active' }],
      ['p', 'user.removed_in_plex', { from: 'pending' }],
    ]);
  });

  it('keeps someone expired or removed while plex.tv still lists the share that was removed (a read from just before), and takes a new share as a new period', () => {
    for (const state of ['expired', 'removed'] as const) {
      const result = reconcile([local({ state, expires_at: THEN, removed_at: THEN })], [seen({})], [], NOW);
      expect(result).toEqual({ inserts: [], updates: [], changes: [] });
      const back = reconcile([local({ state, expires_at: THEN, removed_at: THEN })], [seen({ shareId: '71', state: 'pending' })], [{ invitationId: 'again', identifier: 'friend', accountId: null }], NOW);
      expect(back.updates).toEqual([{ id: 'u1', set: { share_id: '71', invitation_id: 'again', source: 'helpr', state: 'pending', removed_at: null, expires_at: null, accepted_at: null, updated_at: NOW } }]);
      expect(back.changes.map((change) => change.action)).toEqual(['user.shared_in_plex']);
    }
  });

  it('records a change of libraries, or of a share of everything, but not the first libraries of an invite accepted', () => {
    const changed = reconcile([local({})], [seen({ libraries: ['2', '1'] })], [], NOW);
    expect(changed.changes).toEqual([{ userId: 'u1', action: 'user.libraries_changed', name: 'friend', details: { from: ['1'], to: ['2', '1'] } }]);
    expect(reconcile([local({})], [seen({ libraries: ['1'], allLibraries: true })], [], NOW).updates).toEqual([{ id: 'u1', set: { libraries: '["1"]', all_libraries: 1, updated_at: NOW } }]);
    // The same keys in another order are the same libraries.
    expect(reconcile([local({ libraries: '["2","1"]' })], [seen({ libraries: ['1', '2'] })], [], NOW).updates).toEqual([]);
    const accepted = reconcile([local({ state: 'pending', libraries: '[]' })], [seen({})], [], NOW);
    expect(accepted.changes.map((change) => change.action)).toEqual(['user.accepted']);
  });

  it('links someone added in Plex to a Helpr request made later', () => {
    const result = reconcile([local({ source: 'plex', invitation_id: null })], [seen({})], [{ invitationId: 'late', identifier: 'friend', accountId: null }], NOW);
    expect(result.updates).toEqual([{ id: 'u1', set: { invitation_id: 'late', source: 'helpr', updated_at: NOW } }]);
  });
});

describe('access terms: when access ends', () => {
  const DAY = 86_400_000;
  const plus = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY).toISOString();
  const SENT = '2026-11-20T08:00:00.000Z';
  const link = (terms: { days: number | null; startsOn: 'accepted' | 'sent' } | undefined, patch: object = {}) => ({ invitationId: 'inv-2', identifier: 'friend', accountId: '7', terms, sentAt: SENT, acceptedAt: null, ...patch });

  it('counts days from the send for a new person with "sent" terms, even while the invite waits', () => {
    const result = reconcile([], [seen({ state: 'pending' })], [link({ days: 30, startsOn: 'sent' })], NOW);
    expect(result.inserts[0]).toMatchObject({ state: 'pending', expires_at: plus(SENT, 30), invitation_id: 'inv-2' });
  });

  it('waits for acceptance with "accepted" terms, then counts from when the sync saw it (or when Helpr accepted)', () => {
    const pending = reconcile([], [seen({ state: 'pending' })], [link({ days: 7, startsOn: 'accepted' })], NOW);
    expect(pending.inserts[0]?.expires_at).toBeNull();
    const accepted = reconcile([local({ state: 'pending', invitation_id: 'inv-2', accepted_at: null })], [seen({ state: 'active' })], [link({ days: 7, startsOn: 'accepted' })], NOW);
    expect(accepted.updates[0]?.set).toMatchObject({ state: 'active', accepted_at: NOW, expires_at: plus(NOW, 7) });
    const joined = reconcile([], [seen({ state: 'active' })], [link({ days: 7, startsOn: 'accepted' }, { acceptedAt: SENT })], NOW);
    expect(joined.inserts[0]?.expires_at).toBe(plus(SENT, 7));
  });

  it('keeps an end the owner set before the friend accepted, and gives no end for forever terms or none', () => {
    const ownEnd = '2027-01-01T00:00:00.000Z';
    const kept = reconcile([local({ state: 'pending', invitation_id: 'inv-2', expires_at: ownEnd })], [seen({ state: 'active' })], [link({ days: 7, startsOn: 'accepted' })], NOW);
    expect(kept.updates[0]?.set.expires_at).toBeUndefined();
    expect(reconcile([], [seen({})], [link({ days: null, startsOn: 'sent' })], NOW).inserts[0]?.expires_at).toBeNull();
    expect(reconcile([], [seen({})], [link(undefined)], NOW).inserts[0]?.expires_at).toBeNull();
  });

  it('starts a new period for a friend who came back through a new request with terms', () => {
    const back = reconcile([local({ state: 'expired', share_id: '60', expires_at: THEN, invitation_id: 'inv-1' })], [seen({ shareId: '70' })], [link({ days: 14, startsOn: 'accepted' })], NOW);
    expect(back.updates[0]?.set).toMatchObject({ state: 'active', invitation_id: 'inv-2', expires_at: plus(NOW, 14) });
    const forever = reconcile([local({ state: 'removed', share_id: '60', expires_at: THEN })], [seen({ shareId: '70' })], [], NOW);
    expect(forever.updates[0]?.set.expires_at).toBeNull();
  });

  it('records what the share allows as plex.tv reports it, and only when it changed', () => {
    const allows = { allowSync: true, allowChannels: false, allowCameraUpload: false };
    expect(reconcile([], [seen({ permissions: allows })], [], NOW).inserts[0]?.permissions).toBe(JSON.stringify(allows));
    expect(reconcile([local({})], [seen({ permissions: allows })], [], NOW).updates[0]?.set.permissions).toBe(JSON.stringify(allows));
    expect(reconcile([local({ permissions: JSON.stringify(allows) })], [seen({ permissions: allows })], [], NOW).updates).toEqual([]);
    const people = peopleOnServer([share({ id: 3, invitedId: 9, sharingSettings: { allowSync: true, allowChannels: '1', allowCameraUpload: false } })], [], MID);
    expect(people[0]?.permissions).toEqual({ allowSync: true, allowChannels: true, allowCameraUpload: false });
  });
});

describe('access terms: a new period', () => {
  const DAY = 86_400_000;
  const plus = (iso: string, days: number) => new Date(new Date(iso).getTime() + days * DAY).toISOString();
  const OLD = '2026-10-01T08:00:00.000Z';
  const oldLink = (terms: { days: number; startsOn: 'accepted' | 'sent' }, patch: object = {}) => ({ invitationId: 'inv-1', identifier: 'friend', accountId: '7', terms, sentAt: OLD, acceptedAt: null, ...patch });

  it('gives no end to access the owner gave back (here or in Plex): the old request’s days are not counted again', () => {
    // Shared again in Plex after it expired, same request: no end (never the old send + days, long past).
    const reshared = reconcile([local({ state: 'expired', share_id: '60', expires_at: THEN })], [seen({ shareId: '70' })], [oldLink({ days: 7, startsOn: 'sent' })], NOW);
    expect(reshared.updates[0]?.set).toMatchObject({ state: 'active', expires_at: null });
    // "Give access back" left them invited with no end; their acceptance does not start the old terms again.
    const restored = reconcile([local({ state: 'pending', accepted_at: THEN, expires_at: null })], [seen({ state: 'active' })], [oldLink({ days: 7, startsOn: 'accepted' }, { acceptedAt: OLD })], NOW);
    expect(restored.updates[0]?.set.expires_at).toBeUndefined();
  });

  it('counts a new request’s days from its own acceptance, also when it was only an invite at first', () => {
    const link = { invitationId: 'inv-2', identifier: 'friend', accountId: '7', terms: { days: 10, startsOn: 'accepted' as const }, sentAt: NOW, acceptedAt: null };
    const invited = reconcile([local({ state: 'removed', share_id: '60', accepted_at: THEN, expires_at: THEN })], [seen({ state: 'pending', shareId: '70' })], [link], NOW);
    expect(invited.updates[0]?.set).toMatchObject({ state: 'pending', invitation_id: 'inv-2', expires_at: null, accepted_at: null });
    const later = '2026-11-25T12:00:00.000Z';
    const accepted = reconcile([local({ state: 'pending', invitation_id: 'inv-2', accepted_at: null, expires_at: null })], [seen({ state: 'active', shareId: '70' })], [link], later);
    expect(accepted.updates[0]?.set).toMatchObject({ state: 'active', expires_at: plus(later, 10) });
  });

  it('marks a Plex join’s acceptance, which Helpr told when it accepted for the friend', () => {
    const joined = reconcile([local({ state: 'pending', accepted_at: null })], [seen({ state: 'active' })], [{ invitationId: 'inv-1', identifier: 'friend', accountId: '7', joinedWithPlex: true }], NOW);
    expect(joined.changes).toEqual([expect.objectContaining({ action: 'user.accepted', details: { from: 'pending', to: 'active', joinedWithPlex: true } })]);
  });
});
