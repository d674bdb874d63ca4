import type { PathMatch, RuleList, RuleView, SimTarget } from './traffic-rules.js';

export interface HoldSpec extends PathMatch {
  /** Which listener; 'plex-tv' when left out. */
  target?: SimTarget;
  /**
   * 'request' (default): the request waits before it is handled, as behind a stalled network.
   * 'answer': the request is handled at once (a share is made) and only its answer waits: what a
   * client that gives up or dies meanwhile never learns.
   */
  stage?: 'request' | 'answer';
  /** How many matching requests the rule holds; every one when left out. */
  times?: number;
}

export type HoldView = RuleView<HoldSpec> & { held: number };

/** What ends one held request's wait besides its release: the simulator closing, the client going. */
export interface HoldEnds {
  shutdown: AbortSignal;
  /** The answer's stream: 'close' before an answer means the client went away. */
  answer: { once(event: 'close', listener: () => void): unknown; off(event: 'close', listener: () => void): unknown };
}

/**
 * Requests (or their answers) held until the test releases them: a slow plex.tv whose pace the
 * test sets, instead of a latency in milliseconds that a busy machine may outrun. A test waits for
 * `held` to reach a count (simulator state), does what must happen meanwhile, then releases.
 */
export class Holds {
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Rules released: requests they took that have not started waiting yet go on at once. */
  private readonly released = new Set<string>();

  constructor(private readonly rules: RuleList<HoldSpec>) {}

  add(spec: HoldSpec): string {
    return this.rules.add(spec);
  }

  /** The rule that holds this request, if any (spending one of its `times`). */
  take(method: string, path: string): { id: string; stage: 'request' | 'answer' } | undefined {
    const rule = this.rules.takeRule(method, path);
    return rule ? { id: rule.id, stage: rule.spec.stage ?? 'request' } : undefined;
  }

  /** Resolves when the rule is released, the simulator closes or the client goes away: which one. */
  wait(id: string, ends: HoldEnds): Promise<'released' | 'closed' | 'gone'> {
    if (ends.shutdown.aborted) return Promise.resolve('closed');
    if (this.released.has(id)) return Promise.resolve('released');
    return new Promise((resolve) => {
      const waiters = this.waiting.get(id) ?? new Set<() => void>();
      this.waiting.set(id, waiters);
      const end = (why: 'released' | 'closed' | 'gone') => () => {
        waiters.delete(released);
        ends.shutdown.removeEventListener('abort', closed);
        ends.answer.off('close', gone);
        resolve(why);
      };
      const released = end('released');
      const closed = end('closed');
      const gone = end('gone');
      waiters.add(released);
      ends.shutdown.addEventListener('abort', closed, { once: true });
      ends.answer.once('close', gone);
    });
  }

  /** Lets every request the rule holds go on, and holds no more; how many were waiting. */
  release(id: string): number {
    const removed = this.rules.remove(id);
    const waiters = [...(this.waiting.get(id) ?? [])];
    if (removed) this.released.add(id);
    this.waiting.delete(id);
    waiters.forEach((done) => done());
    return waiters.length;
  }

  has(id: string): boolean {
    return this.rules.list().some((rule) => rule.id === id);
  }

  list(): HoldView[] {
    return this.rules.list().map((rule) => ({ ...rule, held: this.waiting.get(rule.id)?.size ?? 0 }));
  }

  clear(): void {
    this.rules.list().forEach((rule) => this.release(rule.id));
  }
}
