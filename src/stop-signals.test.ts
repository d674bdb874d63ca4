import { describe, expect, it } from 'vitest';
import { stopForwarder } from './launcher.js';
import { SIGNAL_BURST_MS, signalBursts } from './stop-signals.js';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('stop signals', () => {
  it('takes signals arriving together as one stop; asked again later, it is a new request', () => {
    const time = clock();
    const burst = signalBursts(SIGNAL_BURST_MS, time.now);
    expect(burst()).toBe('first');
    expect(burst()).toBe('repeat'); // systemd's SIGTERM and the launcher's, together
    time.advance(SIGNAL_BURST_MS - 1);
    expect(burst()).toBe('repeat');
    time.advance(1);
    expect(burst()).toBe('again'); // a second Ctrl+C after a while: stop now
    expect(burst()).toBe('repeat');
  });

  function fakeChild() {
    const calls: string[] = [];
    const child = {
      exitCode: null as number | null,
      signalCode: null as NodeJS.Signals | null,
      connected: true,
      kill: (signal?: NodeJS.Signals | number) => {
        calls.push(`kill ${String(signal)}`);
        return true;
      },
      disconnect: () => {
        calls.push('disconnect');
        child.connected = false;
      },
    };
    return { child, calls };
  }

  it('the launcher passes on the first signal of each burst only', () => {
    const time = clock();
    const { child, calls } = fakeChild();
    const forward = stopForwarder(child, 'linux', signalBursts(SIGNAL_BURST_MS, time.now));
    forward('SIGTERM');
    forward('SIGTERM');
    forward('SIGINT');
    expect(calls).toEqual(['kill SIGTERM']);
    time.advance(SIGNAL_BURST_MS);
    forward('SIGINT');
    expect(calls).toEqual(['kill SIGTERM', 'kill SIGINT']);
  });

  it('on Windows asks Helpr to stop over its channel (kill() would end it at once); only a later request kills', () => {
    const time = clock();
    const { child, calls } = fakeChild();
    const forward = stopForwarder(child, 'win32', signalBursts(SIGNAL_BURST_MS, time.now));
    forward('SIGINT');
    forward('SIGINT'); // the console's Ctrl+C reaches Helpr too: one stop
    expect(calls).toEqual(['disconnect']);
    time.advance(SIGNAL_BURST_MS);
    forward('SIGINT');
    expect(calls).toEqual(['disconnect', 'kill SIGINT']);
  });

  it('passes nothing on once Helpr has exited', () => {
    const { child, calls } = fakeChild();
    child.exitCode = 0;
    stopForwarder(child, 'linux')('SIGTERM');
    expect(calls).toEqual([]);
  });
});
