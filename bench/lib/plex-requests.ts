import type { LoggedRequest } from '../../tools/plex-sim/index.js';

/** What a plex.tv request was for, as the join benchmark reports it. */
export const REQUEST_KINDS = ['PIN create', 'PIN poll', 'account read', 'share', 'invite lookup', 'accept', 'verify', 'other'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

const RECEIVED_PENDING = 'GET /api/v2/shared_servers/invites/received/pending';
const ACCEPT = 'POST /api/v2/shared_servers/:id/accept';

// Route patterns as the simulator logs them (clients.plex.tv's prefix already taken off).
const KIND_OF_ROUTE: Record<string, RequestKind> = {
  'POST /api/v2/pins': 'PIN create',
  'GET /api/v2/pins/:id': 'PIN poll',
  'POST /api/v2/shared_servers': 'share',
  'POST /api/servers/:mid/shared_servers': 'share',
  [ACCEPT]: 'accept',
};

export interface ClassifiedRequests {
  byKind: Record<RequestKind, number>;
  /** `METHOD /route` of each request counted as `other`, with how many. */
  other: Record<string, number>;
  /** Accepts made with each friend token (a friend's invite accepted twice would show as 2). */
  acceptsByToken: Map<string, number>;
  /** Each request with its kind, in arrival order. */
  sorted: Array<{ entry: LoggedRequest; kind: RequestKind }>;
}

/**
 * Sorts the simulator's request log by what each request was for. The received-pending list is
 * read twice per join by design: before accepting (the lookup: which invite to accept) and after
 * (the verify: nothing left pending); a read with a friend's token counts as the lookup until that
 * token has accepted, and as a verify after. The account read counts as the sign-in's only when
 * made with a friend's token (`friendTokens`); the owner's is `other`.
 */
export function classifyRequests(entries: LoggedRequest[], friendTokens: ReadonlySet<string>): ClassifiedRequests {
  const byKind = Object.fromEntries(REQUEST_KINDS.map((kind) => [kind, 0])) as Record<RequestKind, number>;
  const other: Record<string, number> = {};
  const acceptsByToken = new Map<string, number>();
  const sorted: ClassifiedRequests['sorted'] = [];
  for (const entry of [...entries].sort((a, b) => a.seq - b.seq)) {
    const key = `${entry.method} ${entry.route ?? entry.path}`;
    const token = entry.headers['x-plex-token'] ?? '';
    let kind: RequestKind = KIND_OF_ROUTE[key] ?? 'other';
    if (key === 'GET /api/v2/user' && friendTokens.has(token)) kind = 'account read';
    if (key === RECEIVED_PENDING && friendTokens.has(token)) kind = acceptsByToken.has(token) ? 'verify' : 'invite lookup';
    if (kind === 'accept') acceptsByToken.set(token, (acceptsByToken.get(token) ?? 0) + 1);
    byKind[kind] += 1;
    sorted.push({ entry, kind });
    if (kind === 'other') other[key] = (other[key] ?? 0) + 1;
  }
  return { byKind, other, acceptsByToken, sorted };
}

/** The steps of one join in the order Helpr makes them; the PIN poll is the one that got the token. */
const STEPS: RequestKind[] = ['PIN poll', 'account read', 'share', 'invite lookup', 'accept', 'verify'];

export interface StepGap {
  /** `PIN poll -> account read`, ... */
  step: string;
  /** Arrival of one request at plex.tv to the arrival of the next of the same join, ms: median and p95. */
  p50Ms: number;
  p95Ms: number;
}

/**
 * Per join, the time between consecutive plex.tv requests as they reached the simulator. Each gap
 * is plex.tv's answer time (the added latency) plus what Helpr did before asking the next thing
 * (its CPU and any waiting for it, its database writes): how much of the friend's wait is Helpr's.
 * `joinOf` names the join (friend) a request belongs to, or undefined for none.
 */
export function stepGaps(classified: ClassifiedRequests['sorted'], joinOf: (entry: LoggedRequest, kind: RequestKind) => number | undefined): StepGap[] {
  const arrivals = new Map<number, Partial<Record<RequestKind, number>>>();
  for (const { entry, kind } of classified) {
    const join = STEPS.includes(kind) ? joinOf(entry, kind) : undefined;
    if (join === undefined) continue;
    const times = arrivals.get(join) ?? {};
    // The last PIN poll is the one that got the token; every other step happens once.
    times[kind] = Date.parse(entry.at);
    arrivals.set(join, times);
  }
  return STEPS.slice(1).map((kind, i) => {
    const previous = STEPS[i]!;
    const gaps = [...arrivals.values()].flatMap((t) => (t[kind] !== undefined && t[previous] !== undefined ? [t[kind] - t[previous]] : [])).sort((a, b) => a - b);
    const at = (p: number) => gaps[Math.min(gaps.length - 1, Math.ceil((p / 100) * gaps.length) - 1)] ?? Number.NaN;
    return { step: `${previous} -> ${kind}`, p50Ms: at(50), p95Ms: at(95) };
  });
}
