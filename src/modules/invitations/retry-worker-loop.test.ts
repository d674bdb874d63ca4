import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../clock.js';
import type { InvitationDelivery } from './invitation-delivery.js';
import type { InvitationRow, InvitationsRepository } from './invitations.repository.js';
import { createRetryWorker, type RetryWorkerOptions } from './retry-worker.js';

// The worker's own loop (start, schedule, stop) under Vitest's fake timers, with an in-memory queue:
// what the database-backed tests in retry-worker*.test.ts do not reach.

const T0 = '2026-11-24T12:00:00.000Z';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Lets pending promise callbacks run (fake timers do not fake microtasks). */
const settle = () => vi.advanceTimersByTimeAsync(0);

function setup(options: RetryWorkerOptions = {}, hooks: { findDue?: () => Promise<void>; deliver?: (id: string) => Promise<void>; sweepTokens?: () => Promise<number> } = {}) {
  const due: string[] = [];
  const missing = new Set<string>();
  const calls = { findDue: [] as Array<{ now: string; limit: number }>, claims: [] as Array<{ id: string; owner: string; until: string; now: string }>, released: [] as string[] };
  const sent: string[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const invitations = {
    findDue: async (now: string, limit: number) => {
      calls.findDue.push({ now, limit });
      await hooks.findDue?.();
      return due.splice(0, limit);
    },
    claim: async (id: string, owner: string, until: string, now: string) => {
      calls.claims.push({ id, owner, until, now });
      return true;
    },
    findById: async (id: string) => (missing.has(id) ? undefined : ({ id } as InvitationRow)),
    release: async (id: string) => {
      calls.released.push(id);
      return true;
    },
  } as unknown as InvitationsRepository;
  const delivery = {
    newLease: (now: Date) => ({ owner: `lease-${calls.claims.length}`, until: new Date(now.getTime() + 60_000).toISOString() }),
    deliver: async (invitation: { id: string }, owner: string) => {
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        await hooks.deliver?.(invitation.id);
        sent.push(`${invitation.id}/${owner}`);
      } finally {
        inFlight -= 1;
      }
      return undefined;
    },
  } as unknown as InvitationDelivery;
  const logger = pino({ level: 'silent' });
  const errors = vi.spyOn(logger, 'error');
  const clock = fixedClock(T0);
  const worker = createRetryWorker({ invitations, delivery, clock, logger, sweepTokens: hooks.sweepTokens }, options);
  return { worker, due, missing, calls, sent, errors, clock, mostInFlight: () => mostInFlight };
}

describe('retry worker loop', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs nothing until started, then a pass every interval (5 s by default), each after the last one ended', async () => {
    const { worker, calls } = setup();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.findDue).toHaveLength(0);
    worker.start();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(calls.findDue).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.findDue).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.findDue).toHaveLength(3);
    await worker.stop();
  });

  it('asks for up to 50 due invitations at the clock time, and sends each under its own lease', async () => {
    const { worker, due, calls, sent } = setup();
    due.push('a', 'b');
    expect(await worker.runOnce()).toBe(2);
    expect(calls.findDue).toEqual([{ now: T0, limit: 50 }]);
    expect(calls.claims).toEqual([
      { id: 'a', owner: 'lease-0', until: '2026-11-24T12:01:00.000Z', now: T0 },
      { id: 'b', owner: 'lease-1', until: '2026-11-24T12:01:00.000Z', now: T0 },
    ]);
    expect(sent).toEqual(['a/lease-0', 'b/lease-1']);
  });

  it('follows its options: the interval, the batch size, and at most `concurrency` sends at once', async () => {
    const release = gate();
    const { worker, due, calls, sent, mostInFlight } = setup({ intervalMs: 1_000, batchSize: 5, concurrency: 2 }, { deliver: () => release.opened });
    due.push('a', 'b', 'c', 'd', 'e', 'f', 'g');
    const pass = worker.runOnce();
    await settle();
    expect(mostInFlight()).toBe(2);
    release.open();
    expect(await pass).toBe(5);
    expect(mostInFlight()).toBe(2);
    expect(calls.findDue[0]!.limit).toBe(5);
    expect(sent.map((s) => s.split('/')[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    worker.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls.findDue).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls.findDue).toHaveLength(2);
    await worker.stop();
  });

  it('sends 8 at once by default, and none when nothing is due', async () => {
    const release = gate();
    const { worker, due, mostInFlight } = setup({}, { deliver: () => release.opened });
    expect(await worker.runOnce()).toBe(0);
    due.push(...Array.from({ length: 12 }, (_, i) => `id-${i}`));
    const pass = worker.runOnce();
    await settle();
    expect(mostInFlight()).toBe(8);
    release.open();
    expect(await pass).toBe(12);
  });

  it('skips an invitation another worker claimed first or that is gone, and sends the rest', async () => {
    const { worker, due, missing, sent } = setup();
    due.push('gone', 'kept');
    missing.add('gone');
    expect(await worker.runOnce()).toBe(1);
    expect(sent).toEqual(['kept/lease-1']);
  });

  it('keeps going after a failing pass: the error is logged and the next pass runs on time', async () => {
    let failures = 1;
    const { worker, due, sent, errors, calls } = setup({ intervalMs: 1_000 }, {
      findDue: async () => {
        if (failures-- > 0) throw new Error('database unavailable');
      },
    });
    due.push('a');
    worker.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.findDue).toHaveLength(1);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0]).toMatchObject({ err: expect.objectContaining({ message: 'database unavailable' }) });
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.findDue).toHaveLength(2);
    expect(sent).toEqual(['a/lease-0']);
    await worker.stop();
  });

  it('a failing pass called directly rejects for its caller, and stop() still resolves', async () => {
    const { worker } = setup({}, {
      findDue: async () => {
        throw new Error('database unavailable');
      },
    });
    await expect(worker.runOnce()).rejects.toThrow('database unavailable');
    await worker.stop();
  });

  it('never starts twice: a second start() adds no second timer', async () => {
    const { worker, calls } = setup({ intervalMs: 1_000 });
    worker.start();
    worker.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.findDue).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.findDue).toHaveLength(2);
    await worker.stop();
  });

  it('stopped before its first pass, runs none', async () => {
    const { worker, calls } = setup({ intervalMs: 1_000 });
    worker.start();
    await worker.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.findDue).toHaveLength(0);
  });

  it('stop() waits for the pass in flight, then schedules nothing more; start() resumes', async () => {
    const sending = gate();
    const finish = gate();
    const { worker, due, calls, sent } = setup({ intervalMs: 1_000, concurrency: 1 }, {
      deliver: async () => {
        sending.open();
        await finish.opened;
      },
    });
    due.push('a', 'b');
    worker.start();
    await vi.advanceTimersByTimeAsync(1_000);
    await sending.opened;
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    finish.open();
    await stopping;
    // The send under way finished; the second invitation was not claimed.
    expect(sent).toHaveLength(1);
    expect(calls.claims).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.findDue).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);

    due.push('b');
    worker.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls.findDue).toHaveLength(2);
    expect(sent.map((s) => s.split('/')[0])).toEqual(['a', 'b']);
    await worker.stop();
  });

  it('stop() also waits for a pass called directly', async () => {
    const finish = gate();
    const { worker, due, sent } = setup({}, { deliver: () => finish.opened });
    due.push('a');
    const pass = worker.runOnce();
    await settle();
    let stopped = false;
    const stopping = worker.stop().then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    finish.open();
    await stopping;
    expect(await pass).toBe(1);
    expect(sent).toEqual(['a/lease-0']);
  });
});

describe('retry worker timer', () => {
  it("sweeps left-over friends' tokens at the start of every pass, and sends all the same when the sweep fails", async () => {
    let sweeps = 0;
    const failing = setup({}, { sweepTokens: async () => (sweeps += 1, Promise.reject(new Error('database away'))) });
    failing.due.push('a', 'b');
    await expect(failing.worker.runOnce()).resolves.toBe(2);
    expect(sweeps).toBe(1);
    expect(failing.sent).toHaveLength(2);
    expect(failing.errors).not.toHaveBeenCalled();

    const working = setup({}, { sweepTokens: async () => (sweeps += 1, 3) });
    working.due.push('c');
    await expect(working.worker.runOnce()).resolves.toBe(1);
    expect(sweeps).toBe(2);
  });

  it('does not keep the process alive (its timer is unref-ed)', async () => {
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    try {
      const { worker } = setup({ intervalMs: 60_000 });
      worker.start();
      const timer = timeouts.mock.results.at(-1)!.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      await worker.stop();
    } finally {
      timeouts.mockRestore();
    }
  });
});
