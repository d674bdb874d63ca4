import type { Account } from './accounts.js';
import type { SimContext } from './context.js';
import type { SeedAccount, SeedLibrary } from './seed.js';
import type { SimBehaviour, SimErrorAnswer, SimState } from './sim-state.js';
import { viewState, type SimStateView } from './state-view.js';
import type { LogFilter, LoggedRequest, TargetCounters, TrafficLog } from './traffic-log.js';
import type { HoldSpec, HoldView } from './holds.js';
import type { FaultSpec, LatencySpec, RuleView, SimTarget, TrafficRules } from './traffic-rules.js';

/** Thrown for a control call naming something missing or clashing; the HTTP API answers 400 with it. */
export class SimControlError extends Error {}

/** An account by id, username or email. */
export type AccountRef = number | string;

export interface NewAccount extends Partial<SeedAccount> {
  username: string;
  email: string;
}

/** What tests can change or read. The HTTP control API under /__sim/ exposes the same operations. */
export interface SimControl {
  /** Seed data, behaviour switches, latency, faults, log and counters back to their start. */
  reset(): void;
  /** Latency added to every answer of the target ('plex-tv' when left out). */
  setLatency(ms: number, target?: SimTarget): void;
  /** Latency for matching requests only; replaces the base latency for them. Returns the rule id. */
  addLatency(spec: LatencySpec): string;
  addFault(spec: FaultSpec): string;
  /**
   * Holds matching requests ('request' stage, the default) or only their answers ('answer' stage:
   * the request is handled at once) until `release`. Returns the rule id. Tests wait for the held
   * count in `listHolds` instead of guessing how long a latency must be.
   */
  hold(spec: HoldSpec): string;
  /** Lets every request the hold rule keeps go on, and holds no more; how many were waiting. */
  release(id: string): number;
  listHolds(target?: SimTarget): HoldView[];
  /** Removes a fault, latency or hold rule by id (what a hold keeps goes on). */
  removeRule(id: string): boolean;
  clearFaults(target?: SimTarget): void;
  listFaults(target?: SimTarget): RuleView<FaultSpec>[];
  /** A revoked token answers 422 "Invalid token". */
  revokeToken(token: string): void;
  restoreToken(token: string): void;
  /** The token is signed out for good: every call with it answers 401, as for an unknown token. */
  expireToken(token: string): void;
  /** A new token for an account (the owner by default), as signing in again on a device gives. */
  issueToken(account?: AccountRef): { token: string };
  setV1SharingGone(gone: boolean): void;
  setV2DuplicateStatus(status: number): void;
  setEmptyLibraryIds(mode: SimBehaviour['emptyLibraryIds']): void;
  /** The next `times` calls to /api/v2/servers/{mid} answer an empty `librarySections`. */
  emptyV2ServerSections(times: number): void;
  /** Lets plex.tv answer the v2 shared_servers family too (by default only clients.plex.tv does). */
  setV2SharingOnPlexTv(served: boolean): void;
  /** Approves a live PIN (by id or code) for an account (the owner by default); returns its new token. */
  approvePin(pin: { id?: number; code?: string }, account?: AccountRef): { authToken: string };
  addLibrary(library: SeedLibrary): void;
  /** Removes a library by its global id, from plex.tv and the PMS alike. */
  removeLibrary(globalId: number): void;
  /** A new account (a friend, say); `confirmed: false` makes one whose email is not confirmed yet. */
  addAccount(account: NewAccount): Account & { token: string };
  /** The account confirms its email address (clicks the link in Plex's message). */
  confirmAccount(account: AccountRef): Account;
  /** What an unconfirmed account's accept answers; null lets it accept (see SimBehaviour). */
  setUnconfirmedAcceptError(error: SimErrorAnswer | null): void;
  requestLog(filter?: LogFilter): LoggedRequest[];
  counters(): { plexTv: TargetCounters; pms: TargetCounters };
  /** Empties the request log and zeroes the counters. */
  clearLog(): void;
  state(): SimStateView;
}

export interface ControlDeps {
  ctx: SimContext;
  createState(): SimState;
  rules: Record<SimTarget, TrafficRules>;
  log: TrafficLog;
}

const targetsOf = (target?: SimTarget): SimTarget[] => (target ? [target] : ['plex-tv', 'pms']);

function findAccount(state: SimState, ref: AccountRef): Account {
  const { accounts } = state;
  const account =
    typeof ref === 'number' ? accounts.findById(ref) : (accounts.findByUsername(ref) ?? accounts.findByEmail(ref));
  if (!account) throw new SimControlError(`no account ${ref}`);
  return account;
}

export function createControl({ ctx, createState, rules, log }: ControlDeps): SimControl {
  const state = () => ctx.state;
  return {
    reset() {
      ctx.state = createState();
      targetsOf().forEach((target) => rules[target].reset());
      log.clear();
    },
    setLatency: (ms, target = 'plex-tv') => {
      rules[target].baseLatencyMs = ms;
    },
    addLatency: (spec) => rules[spec.target ?? 'plex-tv'].latencies.add(spec),
    addFault: (spec) => rules[spec.target ?? 'plex-tv'].faults.add(spec),
    hold: (spec) => rules[spec.target ?? 'plex-tv'].holds.add(spec),
    release(id) {
      const target = targetsOf().find((t) => rules[t].holds.has(id));
      if (!target) throw new SimControlError(`no hold rule ${id}`);
      return rules[target].holds.release(id);
    },
    listHolds: (target) => targetsOf(target).flatMap((t) => rules[t].holds.list()),
    removeRule: (id) =>
      targetsOf().some((t) => rules[t].faults.remove(id) || rules[t].latencies.remove(id) || (rules[t].holds.has(id) && rules[t].holds.release(id) >= 0)),
    clearFaults: (target) => targetsOf(target).forEach((t) => rules[t].faults.clear()),
    listFaults: (target) => targetsOf(target).flatMap((t) => rules[t].faults.list()),
    revokeToken(token) {
      if (!state().accounts.revoke(token)) throw new SimControlError('unknown token');
    },
    restoreToken(token) {
      state().accounts.restore(token);
    },
    expireToken(token) {
      if (!state().accounts.expire(token)) throw new SimControlError('unknown token');
    },
    issueToken(accountRef) {
      const account = accountRef === undefined ? state().owner : findAccount(state(), accountRef);
      return { token: state().accounts.issueToken(account.id) };
    },
    setV1SharingGone(gone) {
      state().behaviour.v1SharingGone = gone;
    },
    setV2DuplicateStatus(status) {
      state().behaviour.v2DuplicateStatus = status;
    },
    setEmptyLibraryIds(mode) {
      state().behaviour.emptyLibraryIds = mode;
    },
    emptyV2ServerSections(times) {
      state().behaviour.emptyV2SectionsRemaining = times;
    },
    setV2SharingOnPlexTv(served) {
      state().behaviour.v2SharingOnPlexTv = served;
    },
    setUnconfirmedAcceptError(error) {
      state().behaviour.unconfirmedAcceptError = error === null ? null : { ...error };
    },
    approvePin(ref, accountRef) {
      const pins = state().pins;
      const pin = ref.id !== undefined ? pins.findLive(ref.id) : ref.code ? pins.findByCode(ref.code) : undefined;
      if (!pin) throw new SimControlError('no live pin with that id or code');
      const account = accountRef === undefined ? state().owner : findAccount(state(), accountRef);
      return { authToken: state().approvePin(pin, account) };
    },
    addLibrary(library) {
      const { libraries } = state().server;
      if (libraries.some((lib) => lib.id === library.id || lib.key === library.key)) {
        throw new SimControlError('a library with that id or key exists');
      }
      libraries.push({ ...library });
    },
    removeLibrary(globalId) {
      const { server } = state();
      const index = server.libraries.findIndex((lib) => lib.id === globalId);
      if (index < 0) throw new SimControlError(`no library with global id ${globalId}`);
      server.libraries.splice(index, 1);
    },
    addAccount(input) {
      const { accounts } = state();
      const id = input.id ?? accounts.nextId();
      const token = input.token ?? `${input.username}-token`;
      try {
        const account = accounts.add({ uuid: id.toString(16).padStart(16, '0'), token, ...input, id });
        return { ...account, token };
      } catch (error) {
        throw new SimControlError((error as Error).message);
      }
    },
    confirmAccount(ref) {
      const account = findAccount(state(), ref);
      account.confirmed = true;
      return { ...account };
    },
    requestLog: (filter) => log.entries(filter),
    counters: () => log.counters(),
    clearLog: () => log.clear(),
    state: () => viewState(state()),
  };
}
