import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import type { UserActionRunner } from './user-action-runner.js';
import type { NewUserActionRow, UserActionsRepository } from './user-actions.repository.js';
import { createUserActionsPass } from './user-actions.worker.js';

type Outcome = Awaited<ReturnType<UserActionRunner['run']>>;

/** The pass over the fakes: `due` actions whose runs end as `outcomes` says (by id), after `ms`. */
function passOver(due: string[], outcomes: Record<string, Outcome | Error>, options: { concurrency?: number; expiring?: string[]; ms?: number } = {}) {
  const clock = fixedClock('2026-12-01T12:00:00.000Z');
  const enqueued: NewUserActionRow[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const runs: string[] = [];
  const actions = {
    dueExpiryNotices: async () => [],
    dueExpiries: async () => options.expiring ?? [],
    enqueue: async (row: NewUserActionRow) => (enqueued.push(row), true),
    findDue: async () => [...due],
    claim: async (id: string) => id !== 'taken',
  } as unknown as UserActionsRepository;
  const runner: UserActionRunner = {
    newLease: () => ({ owner: 'act-test', until: clock.now().toISOString() }),
    async run(id) {
      runs.push(id);
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      await new Promise((resolve) => setTimeout(resolve, options.ms ?? 5));
      running -= 1;
      const outcome = outcomes[id] ?? 'done';
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
  const logger = pino({ level: 'silent' });
  const logged = vi.spyOn(logger, 'error');
  const pass = createUserActionsPass({ actions, runner, clock, logger }, { concurrency: options.concurrency });
  return { pass, enqueued, runs, logged, mostAtOnce: () => mostAtOnce };
}

describe('user actions pass', () => {
  it('runs the due actions at most `concurrency` at a time, each once', async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `a${i}`);
    const fake = passOver(ids, {}, { concurrency: 3 });
    expect(await fake.pass()).toEqual({ expired: 0, ran: 9 });
    expect(fake.mostAtOnce()).toBe(3);
    expect([...fake.runs].sort()).toEqual(ids);
  });

  it('runs four at a time when not told otherwise', async () => {
    const fake = passOver(Array.from({ length: 10 }, (_, i) => `a${i}`), {});
    await fake.pass();
    expect(fake.mostAtOnce()).toBe(4);
  });

  it('counts the actions carried out (done or failed for good), not those to retry or lost, nor those another instance claimed', async () => {
    const fake = passOver(['done', 'failed', 'retry', 'lost', 'taken'], { done: 'done', failed: 'failed', retry: 'retry', lost: 'lost' });
    expect(await fake.pass()).toEqual({ expired: 0, ran: 2 });
    expect(fake.runs.sort()).toEqual(['done', 'failed', 'lost', 'retry']);
  });

  it('goes on past an attempt that could not be recorded, logging it', async () => {
    const fake = passOver(['broken', 'next'], { broken: new Error('the database went away') }, { concurrency: 1 });
    expect(await fake.pass()).toEqual({ expired: 0, ran: 1 });
    expect(fake.runs).toEqual(['broken', 'next']);
    expect(fake.logged).toHaveBeenCalledTimes(1);
  });

  it('queues a removal by the system for each person whose access ended', async () => {
    const fake = passOver([], {}, { expiring: ['u1', 'u2'] });
    expect(await fake.pass()).toEqual({ expired: 2, ran: 0 });
    expect(fake.enqueued).toEqual([
      expect.objectContaining({ user_id: 'u1', kind: 'expire', status: 'pending', open_key: 'u1', actor: null, actor_type: 'system' }),
      expect.objectContaining({ user_id: 'u2', kind: 'expire', open_key: 'u2', actor_type: 'system' }),
    ]);
  });
});
