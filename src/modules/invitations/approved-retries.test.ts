import { describe, expect, it } from 'vitest';
import { resultOf, type DeliverableInvitation } from './invitation-delivery.js';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const busy = { status: 'retry', kind: 'upstream', error: 'Plex is busy' } as const;
const request = (overrides: Partial<DeliverableInvitation>): DeliverableInvitation => ({
  id: 'r1',
  identifier: 'friend@example.com',
  libraries: '["1"]',
  attempts: 1,
  // Asked three days ago: past the 24 hours a request is retried for.
  created_at: '2026-11-21T12:00:00.000Z',
  unconfirmed_since: null,
  ...overrides,
});

describe('retries of a request the owner approved', () => {
  it('count their 24 hours from the approval, not from the request', () => {
    expect(resultOf(busy, request({ approved_at: '2026-11-24T11:00:00.000Z' }), NOW)).toMatchObject({ status: 'pending', error_kind: 'upstream' });
    expect(resultOf(busy, request({ approved_at: '2026-11-23T11:00:00.000Z' }), NOW)).toMatchObject({ status: 'failed' });
    expect(resultOf(busy, request({ approved_at: null }), NOW)).toMatchObject({ status: 'failed' });
  });
});
