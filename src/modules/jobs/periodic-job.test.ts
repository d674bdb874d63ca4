import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPeriodicJob } from './periodic-job.js';

describe('periodic job', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());
  const logger = pino({ level: 'silent' });

  it('runs first after its first delay, then every interval, one run at a time, and goes on after a failed run', async () => {
    const starts: number[] = [];
    let finish: (() => void) | undefined;
    const run = vi.fn(async () => {
      starts.push(Date.now());
      if (starts.length === 2) throw new Error('plex.tv away');
      if (starts.length === 3) await new Promise<void>((resolve) => (finish = resolve));
    });
    const error = vi.spyOn(logger, 'error');
    const job = createPeriodicJob({ name: 'test', intervalMs: 1000, firstDelayMs: 100, run, logger });
    const t0 = Date.now();
    job.start();
    job.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(starts).toEqual([t0 + 100]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toEqual([t0 + 100, t0 + 1100]);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ job: 'test' }), expect.stringContaining('background job failed'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(3);
    expect(job.busy).toBe(true);
    // The next turn is counted from the end of a run: none starts while one is under way.
    await vi.advanceTimersByTimeAsync(5000);
    expect(starts).toHaveLength(3);
    finish!();
    await vi.advanceTimersByTimeAsync(0);
    expect(job.busy).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    expect(starts).toHaveLength(4);
    await job.stop();
  });

  it('stops: waits for the run in flight, and starts no other', async () => {
    let finish: (() => void) | undefined;
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const job = createPeriodicJob({ name: 'test', intervalMs: 1000, run, logger });
    job.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish!();
    await stopping;
    expect(stopped).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(run).toHaveBeenCalledTimes(1);
    // Started again after a stop, it runs again.
    job.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
    finish!();
    await job.stop();
  });

  it('never runs when stopped before its first turn', async () => {
    const run = vi.fn(async () => undefined);
    const job = createPeriodicJob({ name: 'test', intervalMs: 1000, run, logger });
    job.start();
    await job.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).not.toHaveBeenCalled();
  });
});
