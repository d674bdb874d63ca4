import type { SimState } from './sim-state.js';

/** What every route needs. `state` is swapped wholesale on reset, so read it per request. */
export interface SimContext {
  state: SimState;
  pms: {
    /** The address written into resource connections (never 0.0.0.0). */
    host: string;
    port: number;
    /** A port nothing listens on, listed as an extra local connection when configured. */
    unreachablePort: number | null;
  };
}
