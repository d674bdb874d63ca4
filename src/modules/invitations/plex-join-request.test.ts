import { describe, expect, it } from 'vitest';
import { FRIEND_UNCONFIRMED, UNCONFIRMED_WORDS } from './plex-join-kinds.js';
import { plexJoinIdentifier, plexJoinRow, type PlexJoinAccount } from './plex-join-request.js';

const account = (patch: Partial<PlexJoinAccount> = {}): PlexJoinAccount => ({ id: 42, uuid: 'u-42', username: 'Alice', email: 'Alice@Example.com', confirmed: true, ...patch });
const T0 = '2026-12-02T10:00:00.000Z';
const base = { id: 'r1', code_id: null, libraries: null, access_days: null, access_starts: null, permissions: null, status: 'pending', attempts: 0, next_attempt_at: T0, lease_owner: null, lease_until: null, created_at: T0 } as never;
const row = (patch: Partial<PlexJoinAccount> = {}, input: { userAgent?: string; rulesAccepted?: boolean } = {}) =>
  plexJoinRow({ account: account(patch), friendToken: 't', rulesAccepted: input.rulesAccepted ?? false, clientIp: '192.0.2.1', userAgent: 'userAgent' in input ? input.userAgent : 'Firefox' }, base);

describe('who a Plex join is for', () => {
  it('is the account’s username as typed, found by its lower case, or its email when the name is one', () => {
    expect(plexJoinIdentifier(account({ username: '  Alice ' }))).toEqual({ value: 'Alice', normalized: 'alice', kind: 'username' });
    expect(plexJoinIdentifier(account({ username: 'Bob@Example.com' }))).toEqual({ value: 'Bob@Example.com', normalized: 'bob@example.com', kind: 'email' });
  });

  it('is the account’s email, trimmed and in lower case, when it has no username', () => {
    expect(plexJoinIdentifier(account({ username: '  ', email: '  Carol@Example.COM ' }))).toEqual({ value: 'carol@example.com', normalized: 'carol@example.com', kind: 'email' });
  });

  it('refuses, in words, an account Plex named neither way', () => {
    for (const email of [null, '   ']) {
      expect(() => plexJoinIdentifier(account({ username: '', email }))).toThrow(
        expect.objectContaining({ code: 'invite.plex_account_unnamed', status: 400, message: 'Plex did not say which account you signed in with. Press Continue with Plex to try again, or ask with your email address.' }),
      );
    }
  });
});

describe('the row a Plex join starts as', () => {
  it('is a public request at the share step for the account, with its email and the friend’s browser', () => {
    expect(row({}, { rulesAccepted: true })).toMatchObject({
      identifier: 'Alice',
      identifier_normalized: 'alice',
      identifier_kind: 'username',
      source: 'public',
      last_error: null,
      error_kind: null,
      client_ip: '192.0.2.1',
      user_agent: 'Firefox',
      updated_at: T0,
      joined_with: 'plex',
      plex_account_id: '42',
      friend_email: 'alice@example.com',
      join_step: 'share',
      rules_accepted_at: T0,
    });
  });

  it('says an unconfirmed account waits, keeps 300 characters of a long browser name, and no email or browser when none', () => {
    expect(row({ confirmed: false })).toMatchObject({ last_error: UNCONFIRMED_WORDS, error_kind: FRIEND_UNCONFIRMED });
    expect(row({}, { userAgent: 'x'.repeat(400) }).user_agent).toBe('x'.repeat(300));
    expect(row({ email: null }, { userAgent: undefined })).toMatchObject({ user_agent: null, friend_email: null, rules_accepted_at: null });
    expect(row({ email: '  ' }).friend_email).toBeNull();
  });
});
