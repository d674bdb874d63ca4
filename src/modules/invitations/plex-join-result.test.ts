import { describe, expect, it } from 'vitest';
import { joinResultOf } from './plex-join-result.js';
import type { JoinProgress } from './plex-join-steps.js';
import { FRIEND_WAIT_MAX_MS, OWNER_WAIT_SECONDS } from './retry-policy.js';

const CREATED = '2026-11-24T12:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(CREATED) + ms);
const HOUR = 60 * 60_000;
const row = { attempts: 1, created_at: CREATED, unconfirmed_since: null, approved_at: null };
const shared: JoinProgress = { step: 'accept', plexShareId: '900', sentAt: CREATED, libraries: '["1"]' };
const unshared: JoinProgress = { step: 'share', plexShareId: null, sentAt: null, libraries: '[]' };

describe('what one join attempt records', () => {
  it('accepted: the step cleared, when it was accepted, no error', () => {
    expect(joinResultOf({ status: 'accepted', progress: { ...shared, step: 'verify' } }, { ...row, attempts: 3 }, at(1000))).toEqual({
      status: 'accepted',
      accepted_at: at(1000).toISOString(),
      join_step: null,
      plex_share_id: '900',
      sent_at: CREATED,
      libraries: '["1"]',
      next_attempt_at: null,
      last_error: null,
      error_kind: null,
      unconfirmed_since: null,
      updated_at: at(1000).toISOString(),
    });
  });

  it('sent when the friend token was refused: ended, with why', () => {
    expect(joinResultOf({ status: 'sent', kind: 'friend_token_invalid', error: 'refused', progress: shared }, row, at(0))).toMatchObject({
      status: 'sent',
      join_step: null,
      error_kind: 'friend_token_invalid',
      next_attempt_at: null,
      accepted_at: null,
    });
  });

  it('a retry keeps the step, waits by the policy, and marks a share call with no answer', () => {
    const retry = joinResultOf({ status: 'retry', kind: 'timeout', error: 'no answer', unknownOutcome: true, progress: unshared }, row, at(0));
    expect(retry).toMatchObject({ status: 'pending', join_step: 'share', error_kind: 'timeout', unconfirmed_since: CREATED });
    expect(Date.parse(retry.next_attempt_at!) - Date.parse(CREATED)).toBeGreaterThanOrEqual(24_000);

    const unconfirmed = joinResultOf({ status: 'retry', kind: 'friend_unconfirmed', error: 'confirm', progress: shared }, { ...row, attempts: 30 }, at(0));
    expect(unconfirmed).toMatchObject({ status: 'pending', join_step: 'accept', unconfirmed_since: null });
    expect(Date.parse(unconfirmed.next_attempt_at!) - Date.parse(CREATED)).toBeLessThanOrEqual(FRIEND_WAIT_MAX_MS);
  });

  it('gives up after 24 hours: sent when shared, failed when not; from the approval when approved', () => {
    const retry = (progress: JoinProgress) => ({ status: 'retry' as const, kind: 'upstream', error: 'Plex failed (503)', progress });
    expect(joinResultOf(retry(shared), row, at(24 * HOUR))).toMatchObject({ status: 'sent', join_step: null, error_kind: 'upstream', last_error: 'Gave up after 24 hours: Plex failed (503)', sent_at: CREATED });
    expect(joinResultOf(retry(unshared), row, at(24 * HOUR))).toMatchObject({ status: 'failed', join_step: null, sent_at: null });
    expect(joinResultOf(retry(shared), row, at(24 * HOUR - 1))).toMatchObject({ status: 'pending' });
    expect(joinResultOf(retry(unshared), { ...row, approved_at: at(2 * HOUR).toISOString() }, at(24 * HOUR))).toMatchObject({ status: 'pending' });
    // Waiting for the owner never gives up.
    const owner = { status: 'retry' as const, kind: 'invalid_token', error: 'refused', retryAfterSeconds: OWNER_WAIT_SECONDS, progress: shared };
    expect(joinResultOf(owner, row, at(72 * HOUR))).toMatchObject({ status: 'pending', join_step: 'accept' });
  });
});
