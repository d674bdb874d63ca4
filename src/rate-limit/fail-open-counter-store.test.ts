import { describe, expect, it } from 'vitest';
import { fixedClock } from '../clock.js';
import type { CounterStore } from './counter-store.js';
import { FailOpenCounterStore, RETRY_SHARED_STORE_MS } from './fail-open-counter-store.js';
import { MemoryCounterStore } from './memory-counter-store.js';

/** A shared store that can be switched off, as Redis going away and coming back. */
function switchableStore(clock: ReturnType<typeof fixedClock>) {
  const inner = new MemoryCounterStore(clock);
  const state = { down: false, calls: 0 };
  const guard = <T>(call: () => Promise<T>): Promise<T> => {
    state.calls += 1;
    return state.down ? Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")) : call();
  };
  const store: CounterStore = {
    kind: 'redis',
    hit: (key, windowMs) => guard(() => inner.hit(key, windowMs)),
    peek: (key) => guard(() => inner.peek(key)),
    reset: (key) => guard(() => inner.reset(key)),
    takeBack: (key) => guard(() => inner.takeBack(key)),
    takeTurn: (key, spacingMs, maxWaitMs) => guard(() => inner.takeTurn(key, spacingMs, maxWaitMs)),
  };
  return { store, state };
}

function setup() {
  const clock = fixedClock('2026-01-01T00:00:00Z');
  const shared = switchableStore(clock);
  const logs: Array<{ level: string; message: string }> = [];
  const logger = {
    warn: (_details: object, message: string) => logs.push({ level: 'warn', message }),
    info: (_details: object, message: string) => logs.push({ level: 'info', message }),
  };
  const store = new FailOpenCounterStore(shared.store, new MemoryCounterStore(clock), { logger, clock, retryMs: 1000 });
  return { clock, shared, logs, store };
}

describe('fail-open counter store', () => {
  it('counts in the shared store while it answers', async () => {
    const { store, shared, logs } = setup();
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(shared.state.calls).toBe(2);
    expect(store.kind).toBe('redis');
    expect(store.degraded).toBe(false);
    expect(logs).toEqual([]);
  });

  it('counts in memory while the shared store fails, with one warning per outage', async () => {
    const { store, shared, logs } = setup();
    shared.state.down = true;
    const hits = [];
    for (let i = 0; i < 20; i += 1) hits.push((await store.hit('ip', 60_000)).count);
    expect(hits).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await store.peek('ip')).count).toBe(20);
    await store.reset('ip');
    expect((await store.peek('ip')).count).toBe(0);
    expect(store.degraded).toBe(true);
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logs[0]!.message).toMatch(/counting in this instance’s memory/);
  });

  it('tries the shared store again at most once per interval, and uses it again once it answers', async () => {
    const { store, shared, logs, clock } = setup();
    shared.state.down = true;
    await store.hit('k', 60_000);
    const callsInOutage = shared.state.calls;
    for (let i = 0; i < 10; i += 1) await store.hit('k', 60_000);
    expect(shared.state.calls).toBe(callsInOutage); // no retry within the interval
    clock.advance(1000);
    await store.hit('k', 60_000);
    expect(shared.state.calls).toBe(callsInOutage + 1); // one probe, still down
    expect(logs.filter((l) => l.level === 'warn')).toHaveLength(1);

    shared.state.down = false;
    clock.advance(1000);
    expect((await store.hit('k', 60_000)).count).toBe(1); // the shared count, not the memory one
    expect((await store.hit('k', 60_000)).count).toBe(2);
    expect(store.degraded).toBe(false);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info']);

    shared.state.down = true;
    await store.hit('k', 60_000);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info', 'warn']); // a new outage warns again
  });

  it('sends concurrent calls to memory while one probe is out', async () => {
    const { store, shared, clock } = setup();
    shared.state.down = true;
    await store.hit('k', 60_000);
    clock.advance(1000);
    shared.state.down = false;
    const callsBefore = shared.state.calls;
    const results = await Promise.all(Array.from({ length: 5 }, () => store.hit('other', 60_000)));
    expect(shared.state.calls).toBe(callsBefore + 1);
    expect(results).toHaveLength(5);
  });

  it('ends an outage only on a probe that answers, not on a call sent before Redis went away', async () => {
    const { store, shared, logs } = setup();
    // A call in flight when Redis goes away, answered late (a reply that was already on its way).
    let answerLate!: () => void;
    const late = new Promise<void>((resolve) => (answerLate = resolve));
    const peek = shared.store.peek;
    shared.store.peek = () => late.then(() => ({ count: 0, resetInMs: 0 }));
    const inFlight = store.peek('k');
    shared.store.peek = peek;
    shared.state.down = true;
    await store.hit('k', 60_000); // fails: the outage begins
    answerLate();
    await inFlight;
    expect(store.degraded).toBe(true);
    expect(logs.map((l) => l.level)).toEqual(['warn']);
  });

  it('does not start a new outage for a call that fails late, sent before Redis went away and came back', async () => {
    const { store, shared, logs, clock } = setup();
    let failLate!: () => void;
    const failing = new Promise<void>((resolve) => (failLate = resolve));
    const peek = shared.store.peek;
    shared.store.peek = () => failing.then(() => Promise.reject(new Error('Connection is closed.')));
    const inFlight = store.peek('k');
    shared.store.peek = peek;
    shared.state.down = true;
    await store.hit('k', 60_000); // the outage begins
    clock.advance(1000);
    shared.state.down = false;
    await store.hit('k', 60_000); // a probe answers: the outage ends
    failLate();
    await inFlight; // answered from memory, as the call failed
    expect(store.degraded).toBe(false);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('passes the longest wait of a turn on, to the shared store and to memory alike', async () => {
    const { store, shared } = setup();
    expect(await store.takeTurn('turn', 600, 1000)).toBe(600);
    expect(await store.takeTurn('turn', 600, 1000)).toBeUndefined();
    shared.state.down = true;
    expect(await store.takeTurn('turn', 600, 1000)).toBe(600);
    expect(await store.takeTurn('turn', 600, 1000)).toBeUndefined();
  });

  it('starts in an outage when told Redis was unreachable at start, and probes at once', async () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    const shared = switchableStore(clock);
    const logs: string[] = [];
    const logger = { warn: (_d: object, m: string) => logs.push(m), info: (_d: object, m: string) => logs.push(m) };
    const store = new FailOpenCounterStore(shared.store, new MemoryCounterStore(clock), { logger, clock, startDown: true });
    expect(store.degraded).toBe(true);
    shared.state.down = true;
    await store.hit('k', 60_000);
    expect(shared.state.calls).toBe(1); // probed at once
    expect(logs).toEqual([]); // the start-up warning said it already
    shared.state.down = false;
    clock.advance(RETRY_SHARED_STORE_MS);
    expect((await store.hit('k', 60_000)).count).toBe(1);
    expect(store.degraded).toBe(false);
    expect(logs).toEqual(['rate-limit counters are shared again (Redis answers)']);
  });
});
