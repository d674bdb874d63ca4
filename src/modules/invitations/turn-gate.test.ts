import { describe, expect, it } from 'vitest';
import { createTurnGate } from './turn-gate.js';

/** Counts check phases: `turn()` is how many `setImmediate` rounds have run since it started. */
function turnCounter() {
  let turn = 0;
  let running = true;
  const tick = () => {
    turn += 1;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turn, stop: () => (running = false) };
}

const nextTurns = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('turn gate', () => {
  it('lets callers through at once while the turn has room', async () => {
    const gate = createTurnGate(3);
    expect([gate.pass(), gate.pass(), gate.pass()]).toEqual([undefined, undefined, undefined]);
    expect(gate.pass()).toBeInstanceOf(Promise);
    expect(gate.waiting()).toBe(1);
    // A new turn has room again.
    await nextTurns(3);
    expect(gate.waiting()).toBe(0);
    expect(gate.pass()).toBeUndefined();
  });

  it('releases a pile-up in order, at most perTurn per turn, over successive turns', async () => {
    const gate = createTurnGate(4);
    const counter = turnCounter();
    const released: Array<{ caller: number; turn: number }> = [];
    const callers = Array.from({ length: 14 }, async (_, caller) => {
      await gate.pass();
      released.push({ caller, turn: counter.turn() });
    });
    await Promise.all(callers);
    counter.stop();

    expect(released.map((r) => r.caller)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    const perTurn = new Map<number, number>();
    for (const { turn } of released) perTurn.set(turn, (perTurn.get(turn) ?? 0) + 1);
    // 4 straight away, then 4, 4 and 2 in three later, distinct turns.
    expect([...perTurn.values()]).toEqual([4, 4, 4, 2]);
    const turns = [...perTurn.keys()];
    expect(turns).toEqual([...turns].sort((a, b) => a - b));
    expect(new Set(turns).size).toBe(4);
  });

  it("runs one released caller's promise chain to its end before the next caller starts", async () => {
    const gate = createTurnGate(2);
    expect([gate.pass(), gate.pass()]).toEqual([undefined, undefined]); // this turn is full
    const log: string[] = [];
    const first = (async () => {
      await gate.pass();
      log.push('first starts');
      for (let i = 0; i < 5; i++) await Promise.resolve(); // a database call through Kysely: only microtasks
      log.push('first saved');
    })();
    const second = (async () => {
      await gate.pass();
      log.push('second starts');
    })();
    // Both are released in the same later turn, each in its own macrotask.
    await Promise.all([first, second]);
    expect(log).toEqual(['first starts', 'first saved', 'second starts']);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => createTurnGate(0)).toThrow(RangeError);
    expect(() => createTurnGate(1.5)).toThrow(RangeError);
  });
});
