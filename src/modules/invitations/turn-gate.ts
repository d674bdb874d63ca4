/**
 * Lets at most `perTurn` callers through per turn of the event loop; the others wait, in order, for
 * later turns.
 *
 * Why: when hundreds of friends submit at once, their requests all become readable in one poll of
 * the event loop, and Node runs every one of them before anything it queued goes out: HTTP/2 frames
 * to plex.tv are written in the loop's next check phase. Without a gate the first invite leaves
 * only after the last request was parsed, saved and prepared, and all answers then come back
 * together. With it, invites leave in groups while later requests are still being read, and plex.tv
 * answers are handled in between. When requests do not pile up, nobody waits.
 *
 * Each waiter is released in its own macrotask (its own `setImmediate`), so, as when Node runs
 * requests off the socket, one request's database work runs to its first real wait before the next
 * one starts.
 */
export function createTurnGate(perTurn: number) {
  if (!Number.isInteger(perTurn) || perTurn < 1) throw new RangeError('perTurn must be a positive integer');
  let admitted = 0;
  let turnScheduled = false;
  const waiting: Array<() => void> = [];

  function nextTurn() {
    turnScheduled = false;
    admitted = 0;
    // Released in the next turn's check phase, after what this group queued has been written.
    while (admitted < perTurn && waiting.length > 0) {
      admitted += 1;
      setImmediate(waiting.shift()!);
    }
    if (admitted > 0) scheduleTurn();
  }

  function scheduleTurn() {
    if (turnScheduled) return;
    turnScheduled = true;
    setImmediate(nextTurn);
  }

  return {
    /** Resolves when the caller may go on: at once (undefined) while this turn has room. */
    pass(): Promise<void> | undefined {
      scheduleTurn();
      if (waiting.length === 0 && admitted < perTurn) {
        admitted += 1;
        return undefined;
      }
      return new Promise<void>((resolve) => waiting.push(resolve));
    },

    /** Callers waiting now (for tests and logs). */
    waiting: () => waiting.length,
  };
}

export type TurnGate = ReturnType<typeof createTurnGate>;
