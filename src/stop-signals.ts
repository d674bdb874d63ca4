/**
 * One stop often arrives as several signals at once: systemd's default stop (KillMode=control-group)
 * sends SIGTERM to every process of the service, so Helpr gets one from systemd and one passed on by
 * the launcher; a terminal's Ctrl+C reaches both processes on Windows. Signals within this time of
 * the one that started a stop belong to that stop. A signal after it is a person asking again.
 */
export const SIGNAL_BURST_MS = 3000;

/** 'first' starts a stop; 'repeat' is the same stop arriving again; 'again' is a new request. */
export type SignalTurn = 'first' | 'repeat' | 'again';

/** Classifies each signal by its time since the last one that was not a repeat. */
export function signalBursts(windowMs = SIGNAL_BURST_MS, now: () => number = Date.now): () => SignalTurn {
  let startedAt: number | undefined;
  return () => {
    const at = now();
    if (startedAt !== undefined && at - startedAt < windowMs) return 'repeat';
    const turn = startedAt === undefined ? 'first' : 'again';
    startedAt = at;
    return turn;
  };
}
