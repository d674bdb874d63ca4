import { describe, expect, it } from 'vitest';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { sendOutcomeMessage } from './admin-invitations.messages.js';
import { hasAccessToRevoke, statusMeaning, toInvitationView } from './admin-invitations.models.js';

const view = (overrides: Parameters<typeof invitationRow>[0] = {}) => toInvitationView({ ...invitationRow(overrides), code: null });

describe('an invitation as the admin sees it (issue 12)', () => {
  it('says how the friend joined and their Plex account id', () => {
    const joined = view({ identifier: 'alice', status: 'accepted', joined_with: 'plex', plex_account_id: '4242', join_step: null });
    expect(joined).toMatchObject({ status: 'accepted', joinedWith: 'plex', plexAccountId: '4242', joinStep: null });
    // Rows from before migration 0006 (no column in the row) and typed requests read as email.
    expect(view({})).toMatchObject({ joinedWith: 'email', plexAccountId: null, joinStep: null });
    expect(view({ joined_with: 'email', plex_account_id: '77' })).toMatchObject({ joinedWith: 'email', plexAccountId: '77' });
  });

  it('offers to revoke an accepted friend, and a Plex join whose share exists while its job goes on', () => {
    expect(hasAccessToRevoke(view({ status: 'accepted', joined_with: 'plex' }))).toBe(true);
    expect(hasAccessToRevoke(view({ status: 'sent', joined_with: 'plex' }))).toBe(true);
    for (const step of ['accept', 'verify'] as const) expect(hasAccessToRevoke(view({ status: 'pending', joined_with: 'plex', join_step: step })), step).toBe(true);
    // Not shared yet: nothing to take away.
    expect(hasAccessToRevoke(view({ status: 'pending', joined_with: 'plex', join_step: 'share' }))).toBe(false);
    expect(hasAccessToRevoke(view({ status: 'awaiting_approval', joined_with: 'plex', join_step: 'share' }))).toBe(false);
    expect(hasAccessToRevoke(view({ status: 'pending' }))).toBe(false);
  });

  it('tells sent and accepted apart in words', () => {
    expect(statusMeaning('sent')).toBe('Sent: the libraries are shared, and the invite waits for the friend to accept it in Plex.');
    expect(statusMeaning('accepted')).toBe('Accepted: the friend signed in with Plex and Helpr accepted the invite for them, so they can watch now.');
    expect(statusMeaning('failed')).toBeUndefined();
  });

  it('tells the owner whether a Plex join still waits for the friend', () => {
    expect(sendOutcomeMessage(view({ identifier: 'alice', status: 'sent' })).message).toBe('Invitation sent to alice.');
    expect(sendOutcomeMessage(view({ identifier: 'alice', status: 'sent', joined_with: 'plex' })).message).toBe(
      'Shared with alice, who signed in with Plex: the invite waits for them to accept it in Plex (its email, or app.plex.tv).',
    );
    expect(sendOutcomeMessage(view({ identifier: 'alice', status: 'accepted', joined_with: 'plex' }))).toEqual({
      message: 'alice joined with Plex: the libraries are shared and the invite is accepted, they can watch now.',
      tone: 'success',
    });
  });
});
