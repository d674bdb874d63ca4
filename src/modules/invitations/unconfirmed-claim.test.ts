import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, describeDialects, type TestDatabase } from '../../../test/helpers/database.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { resultOf } from './invitation-delivery.js';
import { createInvitationsRepository } from './invitations.repository.js';

const T0 = '2026-11-24T12:00:00.000Z';
const LATER = '2026-11-24T12:05:00.000Z';

/**
 * When may an earlier attempt have reached Plex without Helpr knowing? When its lease ran out with
 * no outcome written (a crash, a database outage) or when it ended in a failure after which the
 * invite may exist all the same (a timeout). The mark is what makes the next attempt look first.
 */
describeDialects('the unconfirmed mark on %s', (dialect) => {
  let database: TestDatabase;
  let repo: ReturnType<typeof createInvitationsRepository>;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    repo = createInvitationsRepository(database.db);
  });
  afterAll(() => database?.close());

  const pending = (id: string, patch: Parameters<typeof invitationRow>[0] = {}) =>
    repo.insert(invitationRow({ id, status: 'pending', next_attempt_at: T0, created_at: T0, ...patch }));

  it('is set by a claim that takes over a lease that ran out', async () => {
    await pending('expired', { lease_owner: 'crashed:1', lease_until: '2026-11-24T12:01:00.000Z' });
    expect(await repo.claim('expired', 'me:1', '2026-11-24T12:06:00.000Z', LATER)).toBe(true);
    expect(await repo.findById('expired')).toMatchObject({ lease_owner: 'me:1', attempts: 2, unconfirmed_since: LATER });
  });

  it('is not set by a claim of an invitation whose last attempt was recorded (or that never had one)', async () => {
    await pending('recorded', { attempts: 3, last_error: 'Plex asked us to slow down', error_kind: 'rate_limited' });
    expect(await repo.claim('recorded', 'me:2', '2026-11-24T12:06:00.000Z', LATER)).toBe(true);
    expect(await repo.findById('recorded')).toMatchObject({ lease_owner: 'me:2', attempts: 4, unconfirmed_since: null });
  });

  it('keeps its first time through later claims and completions that carry none', async () => {
    await pending('kept', { lease_owner: 'crashed:2', lease_until: T0, unconfirmed_since: T0 });
    expect(await repo.claim('kept', 'me:3', '2026-11-24T12:06:00.000Z', LATER)).toBe(true);
    expect((await repo.findById('kept'))?.unconfirmed_since).toBe(T0);
    const limited = resultOf({ status: 'retry', kind: 'rate_limited', error: 'slow down' }, { ...(await repo.findById('kept'))!, unconfirmed_since: null }, new Date(LATER));
    expect(await repo.complete('kept', 'me:3', { ...limited, next_attempt_at: LATER })).toBe(true);
    expect(await repo.claim('kept', 'me:4', '2026-11-24T12:06:00.000Z', LATER)).toBe(true);
    const row = (await repo.findById('kept'))!;
    expect(row.unconfirmed_since).toBe(T0);
    const stale = { ...row, unconfirmed_since: null };
    expect(await repo.complete('kept', 'me:4', resultOf({ status: 'sent', shareId: '7', libraries: ['1'] }, stale, new Date(LATER)))).toBe(true);
    expect(await repo.findById('kept')).toMatchObject({ status: 'sent', unconfirmed_since: T0, lease_owner: null });
  });

  it('is set when an attempt is recorded as a timeout, and not for a refusal that made nothing', async () => {
    await pending('slow', { lease_owner: 'me:5', lease_until: LATER });
    const row = (await repo.findById('slow'))!;
    const timedOut = resultOf({ status: 'retry', kind: 'timeout', error: 'Plex did not answer in time', unknownOutcome: true }, row, new Date(LATER));
    expect(await repo.complete('slow', 'me:5', timedOut)).toBe(true);
    expect(await repo.findById('slow')).toMatchObject({ status: 'pending', error_kind: 'timeout', unconfirmed_since: LATER });

    await pending('limited', { lease_owner: 'me:6', lease_until: LATER });
    const limited = resultOf({ status: 'retry', kind: 'rate_limited', error: 'slow down' }, (await repo.findById('limited'))!, new Date(LATER));
    expect(await repo.complete('limited', 'me:6', limited)).toBe(true);
    expect((await repo.findById('limited'))?.unconfirmed_since).toBeNull();
  });
});

describe('resultOf', () => {
  const row = invitationRow({ status: 'pending', created_at: T0 });
  const at = new Date(LATER);

  it.each(['timeout', 'network', 'upstream'])('marks a retry after "%s" when the invite call may have made the invite all the same', (kind) => {
    expect(resultOf({ status: 'retry', kind, error: 'x', unknownOutcome: true }, row, at).unconfirmed_since).toBe(LATER);
  });

  // A 5xx with plex.tv's own error body made nothing; a timeout of the library read sent nothing yet.
  it.each(['upstream', 'timeout', 'rate_limited', 'invalid_token', 'not_connected', 'no_libraries', 'library_missing'])(
    'does not mark a retry after "%s" whose invite surely was not made',
    (kind) => {
      expect(resultOf({ status: 'retry', kind, error: 'x' }, row, at).unconfirmed_since).toBeNull();
    },
  );

  it('carries an earlier mark through every outcome', () => {
    const marked = { ...row, unconfirmed_since: T0 };
    expect(resultOf({ status: 'retry', kind: 'timeout', error: 'x', unknownOutcome: true }, marked, at).unconfirmed_since).toBe(T0);
    expect(resultOf({ status: 'retry', kind: 'upstream', error: 'x' }, marked, at).unconfirmed_since).toBe(T0);
    expect(resultOf({ status: 'failed', kind: 'rejected', error: 'x' }, marked, at).unconfirmed_since).toBe(T0);
    expect(resultOf({ status: 'sent', shareId: undefined, libraries: [] }, marked, at).unconfirmed_since).toBe(T0);
  });
});
