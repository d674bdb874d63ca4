import { Holds, type HoldSpec } from './holds.js';

export type SimTarget = 'plex-tv' | 'pms';

/** Which requests a rule applies to. No path and no regex means every request of the target. */
export interface PathMatch {
  /** Any method when left out; compared case-insensitively. */
  method?: string;
  /** A path prefix, compared against the path without the query string. */
  path?: string;
  /** A regular expression (or its source) tested against the path without the query string. */
  pathRegex?: string | RegExp;
}

/**
 * - status, rate-limit: an error answer
 * - hang: no answer until the client gives up
 * - reset: the request fails: over HTTP/1.1 its connection is reset (TCP RST); over HTTP/2 its
 *   stream is (RST_STREAM INTERNAL_ERROR), and other requests on the connection carry on
 * - reset-connection: its connection is reset (TCP RST), failing every request on it
 */
export type FaultKind = 'status' | 'rate-limit' | 'hang' | 'reset' | 'reset-connection';

export interface FaultSpec extends PathMatch {
  /** Which listener; 'plex-tv' when left out. */
  target?: SimTarget;
  kind: FaultKind;
  /** For 'status': the status to answer (default 500). */
  status?: number;
  /** For 'status' and 'rate-limit': the body (default: a small HTML error page). */
  body?: string;
  contentType?: string;
  /** For 'rate-limit': the Retry-After value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** How many matching requests the fault hits before it expires; forever when left out. */
  times?: number;
}

export interface LatencySpec extends PathMatch {
  target?: SimTarget;
  ms: number;
  times?: number;
  /**
   * 'request' (default): the request waits before it is handled, as behind a slow network.
   * 'answer': the request is handled at once (a share is made) and its answer waits: what a client
   * that gives up or dies meanwhile never learns, as with a slow plex.tv.
   */
  stage?: 'request' | 'answer';
}

interface Rule<T> {
  id: string;
  spec: T;
  regex: RegExp | null;
  remaining: number | null;
  hits: number;
}

export type RuleView<T> = T & { id: string; remaining: number | null; hits: number };

function matches(rule: Rule<PathMatch>, method: string, path: string): boolean {
  if (rule.spec.method && rule.spec.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.spec.path !== undefined && !path.startsWith(rule.spec.path)) return false;
  return rule.regex === null || rule.regex.test(path);
}

/** Ordered rules with hit counts; the first live match wins and spends one of its `times`. */
export class RuleList<T extends PathMatch & { times?: number }> {
  private rules: Rule<T>[] = [];
  private nextId = 1;

  constructor(private readonly prefix: string) {}

  add(spec: T): string {
    const { pathRegex } = spec;
    const regex = pathRegex === undefined ? null : pathRegex instanceof RegExp ? pathRegex : new RegExp(pathRegex);
    const id = `${this.prefix}-${this.nextId++}`;
    this.rules.push({ id, spec: { ...spec }, regex, remaining: spec.times ?? null, hits: 0 });
    return id;
  }

  take(method: string, path: string): T | undefined {
    return this.takeRule(method, path)?.spec;
  }

  /** Like take, with the id of the rule that matched. */
  takeRule(method: string, path: string): { id: string; spec: T } | undefined {
    const rule = this.rules.find((candidate) => candidate.remaining !== 0 && matches(candidate, method, path));
    if (!rule) return undefined;
    rule.hits += 1;
    if (rule.remaining !== null) rule.remaining -= 1;
    return { id: rule.id, spec: rule.spec };
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    return this.rules.length < before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): RuleView<T>[] {
    return this.rules.map((rule) => ({ ...rule.spec, id: rule.id, remaining: rule.remaining, hits: rule.hits }));
  }
}

/** Latency, holds and faults for one listener. Faults fire after the latency, so a slow 503 is possible. */
export class TrafficRules {
  baseLatencyMs: number;
  readonly faults: RuleList<FaultSpec>;
  readonly latencies: RuleList<LatencySpec>;
  readonly holds: Holds;

  constructor(
    readonly target: SimTarget,
    private readonly defaultLatencyMs: number,
  ) {
    this.baseLatencyMs = defaultLatencyMs;
    this.faults = new RuleList<FaultSpec>(`${target}-fault`);
    this.latencies = new RuleList<LatencySpec>(`${target}-latency`);
    this.holds = new Holds(new RuleList<HoldSpec>(`${target}-hold`));
  }

  /** A matching latency rule replaces the base latency (which delays the request) for that request. */
  latencyFor(method: string, path: string): { ms: number; stage: 'request' | 'answer' } {
    const rule = this.latencies.take(method, path);
    return rule ? { ms: rule.ms, stage: rule.stage ?? 'request' } : { ms: this.baseLatencyMs, stage: 'request' };
  }

  reset(): void {
    this.baseLatencyMs = this.defaultLatencyMs;
    this.faults.clear();
    this.latencies.clear();
    this.holds.clear();
  }
}
