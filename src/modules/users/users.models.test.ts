import { describe, expect, it } from 'vitest';
import { displayName, EXPIRING_DAYS, expiringBefore, toUserView } from './users.models.js';
import type { PlexUserRow } from './users.repository.js';

const NOW = new Date('2026-12-02T12:00:00.000Z');
const DAY = 86_400_000;
const row = (patch: Partial<PlexUserRow>): PlexUserRow =>
  ({ id: 'u1', plex_key: 'account:7', plex_account_id: '7', username: 'friend', email: 'friend@example.com', search_text: '', state: 'active', source: 'helpr', invitation_id: 'r1', libraries: '["1","2"]', all_libraries: 0, share_id: '70', invited_at: '2026-11-01T00:00:00.000Z', accepted_at: '2026-11-02T00:00:00.000Z', expires_at: null, removed_at: null, last_synced_at: '2026-12-01T00:00:00.000Z', created_at: '2026-10-01T00:00:00.000Z', updated_at: '2026-10-01T00:00:00.000Z', permissions: null, expiry_notice_for: null, ...patch }) as PlexUserRow;

describe('a person as pages and the API show them', () => {
  it('calls them by username, else email, else their Plex account, else someone', () => {
    expect(displayName({ username: 'friend', email: 'f@example.com' })).toBe('friend');
    expect(displayName({ username: null, email: 'f@example.com' })).toBe('f@example.com');
    expect(displayName({ username: null, email: null, plex_account_id: '42' })).toBe('Plex account 42');
    expect(displayName({ username: null, email: null, plex_account_id: null })).toBe('someone');
  });

  it('is expiring while active with an end within seven days, and only then', () => {
    expect(expiringBefore(NOW)).toBe(new Date(NOW.getTime() + EXPIRING_DAYS * DAY).toISOString());
    const soon = new Date(NOW.getTime() + 6 * DAY).toISOString();
    const later = new Date(NOW.getTime() + EXPIRING_DAYS * DAY).toISOString();
    expect(toUserView(row({ expires_at: soon }), NOW).state).toBe('expiring');
    expect(toUserView(row({ expires_at: later }), NOW).state).toBe('active');
    expect(toUserView(row({ expires_at: null }), NOW).state).toBe('active');
    expect(toUserView(row({ state: 'pending', expires_at: soon }), NOW).state).toBe('pending');
  });

  it('shows libraries, a share of everything, since when, and what the share allows', () => {
    expect(toUserView(row({}), NOW)).toMatchObject({ name: 'friend', libraries: ['1', '2'], allLibraries: false, since: '2026-11-02T00:00:00.000Z', permissions: null, invitationId: 'r1', source: 'helpr' });
    expect(toUserView(row({ all_libraries: 1, accepted_at: null }), NOW)).toMatchObject({ allLibraries: true, since: '2026-11-01T00:00:00.000Z' });
    expect(toUserView(row({ accepted_at: null, invited_at: null }), NOW).since).toBe('2026-10-01T00:00:00.000Z');
    expect(toUserView(row({ permissions: '{"allowSync":true}' }), NOW).permissions).toEqual({ allowSync: true, allowChannels: false, allowCameraUpload: false });
  });
});
