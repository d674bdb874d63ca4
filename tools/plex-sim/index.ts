/** Public surface of the Plex simulator (plex.tv + clients.plex.tv on one port, a PMS on another). */
export { startPlexSimulator, type PlexSimulator, type PlexSimulatorOptions } from './simulator.js';
export { SimControlError, type AccountRef, type NewAccount, type SimControl } from './control.js';
export { manualClock, systemClock, type ManualClock, type SimClock } from './clock.js';
export {
  DEFAULT_SEED,
  type SeedAccount,
  type SeedLibrary,
  type SeedOverrides,
  type SeedServer,
  type SeedShare,
  type SimSeed,
} from './seed.js';
export { UNCONFIRMED_ACCEPT_ERROR, type SimBehaviour, type SimErrorAnswer } from './sim-state.js';
export type { PinView, ShareView, SimStateView } from './state-view.js';
export type { LogFilter, LoggedRequest, TargetCounters } from './traffic-log.js';
export type { FaultKind, FaultSpec, LatencySpec, PathMatch, RuleView, SimTarget } from './traffic-rules.js';
export type { HoldSpec, HoldView } from './holds.js';
