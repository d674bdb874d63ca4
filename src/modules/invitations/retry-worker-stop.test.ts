import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { invitationRow } from '../../../test/helpers/invitation-rows.js';
import { fixedClock } from '../../clock.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import { createInvitationsRepository, type InvitationsRepository } from './invitations.repository.js';
import { createRetryWorker } from './retry-worker.js';

const T0 = '2026-11-24T12:00:00.000Z';

/** A promise the test opens when it is ready. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Resolves "waiting" when `promise` has not settled once pending callbacks have run. */
const stateOf = (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => 'settled'), new Promise((resolve) => setImmediate(() => resolve('waiting')))]);

describe('retry worker stop', () => {
  let database: TestDatabase;
  afterEach(() => database?.close());

  async function setup(hooks: { afterClaim?: () => Promise<void>; duringSend?: () => Promise<void> }) {
    database = await createTestDatabase('sqlite');
    const repository = createInvitationsRepository(database.db);
    for (const id of ['a', 'b', 'c']) {
      await repository.insert(invitationRow({ id, status: 'pending', attempts: 1, next_attempt_at: T0, created_at: T0, error_kind: 'upstream', last_error: 'Plex failed' }));
    }
    const sent: string[] = [];
    const invitations: InvitationsRepository = {
      ...repository,
      claim: async (...args) => {
        const claimed = await repository.claim(...args);
        if (claimed) await hooks.afterClaim?.();
        return claimed;
      },
    };
    const delivery = {
      newLease: (now: Date) => ({ owner: `test:${sent.length}:${Math.random()}`, until: new Date(now.getTime() + 60_000).toISOString() }),
      deliver: async (invitation: { id: string }) => {
        await hooks.duringSend?.();
        sent.push(invitation.id);
        return undefined;
      },
    } as unknown as InvitationDelivery;
    const clock = fixedClock(T0);
    const worker = createRetryWorker({ invitations, delivery, clock, logger: pino({ level: 'silent' }) }, { concurrency: 1 });
    return { repository, worker, sent };
  }

  it('gives back a lease taken but not used, so another instance can send at once', async () => {
    const claimed = gate();
    const proceed = gate();
    const { repository, worker, sent } = await setup({
      afterClaim: async () => {
        claimed.open();
        await proceed.opened;
      },
    });
    const pass = worker.runOnce();
    await claimed.opened;
    const stopping = worker.stop();
    proceed.open();
    await stopping;
    expect(await pass).toBe(0);
    expect(sent).toEqual([]);
    for (const id of ['a', 'b', 'c']) {
      expect(await repository.findById(id)).toMatchObject({ status: 'pending', lease_owner: null, lease_until: null, attempts: 1 });
    }
    expect(await repository.findDue(T0, 10)).toHaveLength(3);
  });

  it('waits for a send under way, then claims nothing more', async () => {
    const sending = gate();
    const finish = gate();
    const { repository, worker, sent } = await setup({
      duringSend: async () => {
        sending.open();
        await finish.opened;
      },
    });
    const pass = worker.runOnce();
    await sending.opened;
    const stopping = worker.stop();
    expect(await stateOf(stopping)).toBe('waiting');
    finish.open();
    await stopping;
    expect(await pass).toBe(1);
    expect(sent).toHaveLength(1);
    expect(await repository.findDue(T0, 10)).toHaveLength(2);
  });
});
