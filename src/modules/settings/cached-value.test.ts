import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../clock.js';
import { createCachedValue } from './cached-value.js';

/** A loader that counts its calls and answers only when told to. */
function slowLoader() {
  let loads = 0;
  const answers: Array<(value: string) => void> = [];
  return {
    load: () => {
      loads += 1;
      return new Promise<string>((resolve) => answers.push(resolve));
    },
    answer: (index: number, value: string) => answers[index]!(value),
    loads: () => loads,
  };
}

describe('cached value', () => {
  it('loads once per time-to-live, and shares one load among concurrent readers', async () => {
    const clock = fixedClock('2026-01-01T00:00:00Z');
    let loads = 0;
    const cache = createCachedValue(async () => `value ${++loads}`, { ttlMs: 5000, clock });
    expect(await Promise.all([cache.get(), cache.get(), cache.get()])).toEqual(['value 1', 'value 1', 'value 1']);
    clock.advance(4999);
    expect(await cache.get()).toBe('value 1');
    clock.advance(1);
    expect(await cache.get()).toBe('value 2');
    expect(loads).toBe(2);
  });

  it('loads again after clear()', async () => {
    let loads = 0;
    const cache = createCachedValue(async () => ++loads, { ttlMs: 60_000, clock: fixedClock('2026-01-01T00:00:00Z') });
    expect(await cache.get()).toBe(1);
    cache.clear();
    expect(await cache.get()).toBe(2);
  });

  it('does not keep a load that began before clear(): a write is never hidden by an older read', async () => {
    const loader = slowLoader();
    const cache = createCachedValue(loader.load, { ttlMs: 60_000, clock: fixedClock('2026-01-01T00:00:00Z') });
    const before = cache.get(); // started before the write
    cache.clear(); // the write happened
    const after = cache.get();
    loader.answer(1, 'new');
    expect(await after).toBe('new');
    loader.answer(0, 'old'); // the older read ends last
    expect(await before).toBe('old');
    expect(await cache.get()).toBe('new');
    expect(loader.loads()).toBe(2);
  });

  it('does not keep a failed load', async () => {
    let calls = 0;
    const cache = createCachedValue(
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('database away');
        return 'back';
      },
      { ttlMs: 60_000, clock: fixedClock('2026-01-01T00:00:00Z') },
    );
    await expect(cache.get()).rejects.toThrow('database away');
    expect(await cache.get()).toBe('back');
  });

  it('refresh() reads again while the kept value stays readable; without a time-to-live it is kept until clear()', async () => {
    const loader = slowLoader();
    const cache = createCachedValue(loader.load);
    expect(cache.peek()).toBeUndefined();
    const first = cache.get();
    loader.answer(0, 'one');
    expect(await first).toBe('one');
    const again = cache.refresh();
    expect(cache.peek()).toBe('one');
    expect(await cache.get()).toBe('one');
    loader.answer(1, 'two');
    expect(await again).toBe('two');
    expect(cache.peek()).toBe('two');
    expect(loader.loads()).toBe(2);
    cache.clear();
    expect(cache.peek()).toBeUndefined();
  });
});
