import { setMaxListeners } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { systemClock, type SimClock } from './clock.js';
import type { SimContext } from './context.js';
import { createControl, type SimControl } from './control.js';
import { instrument, trackConnections } from './instrument.js';
import { buildPlexTvApp } from './plex-tv-app.js';
import { buildPmsApp } from './pms-app.js';
import { resolveSeed, type SeedAccount, type SeedLibrary, type SeedOverrides } from './seed.js';
import { DEFAULT_BEHAVIOUR, SimState, type SimBehaviour } from './sim-state.js';
import { TrafficLog } from './traffic-log.js';
import { TrafficRules, type SimTarget } from './traffic-rules.js';

export interface PlexSimulatorOptions {
  /** Listen address of both listeners. Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  plexTvPort?: number;
  pmsPort?: number;
  /** Added to every plex.tv answer (benchmarks use 250). */
  latencyMs?: number;
  pmsLatencyMs?: number;
  seed?: SeedOverrides;
  clock?: SimClock;
  /** PIN lifetime; plex.tv uses 900 s. */
  pinTtlSeconds?: number;
  behaviour?: Partial<SimBehaviour>;
  /** Lists a local connection on a port nothing listens on before the working one. */
  unreachableConnection?: boolean;
  /** Request log entries kept (oldest dropped first). Counters are never trimmed. */
  requestLogLimit?: number;
}

export interface PlexSimulator {
  /** Serves both plex.tv and clients.plex.tv paths. */
  plexTvUrl: string;
  clientsPlexTvUrl: string;
  pmsUrl: string;
  machineIdentifier: string;
  ownerToken: string;
  /** The PMS access token plex.tv hands out in resources. */
  serverToken: string;
  accounts: { owner: SeedAccount; friends: SeedAccount[] };
  libraries: SeedLibrary[];
  control: SimControl;
  /** Stops both listeners at once, destroying open sockets (hung requests included). */
  close(): Promise<void>;
}

/** A port that was free a moment ago and has nothing listening on it now. */
async function closedPort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, host, resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  // A deep accept backlog so a burst of 500+ new connections is not refused.
  await app.listen({ host, port, backlog: 2048 });
  return (app.server.address() as AddressInfo).port;
}

export async function startPlexSimulator(options: PlexSimulatorOptions = {}): Promise<PlexSimulator> {
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const seed = resolveSeed(options.seed);
  const clock = options.clock ?? systemClock;
  const behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
  const createState = () => new SimState(seed, clock, { pinTtlSeconds: options.pinTtlSeconds ?? 900, behaviour });
  const log = new TrafficLog(clock, options.requestLogLimit ?? 10_000);
  const rules: Record<SimTarget, TrafficRules> = {
    'plex-tv': new TrafficRules('plex-tv', options.latencyMs ?? 0),
    pms: new TrafficRules('pms', options.pmsLatencyMs ?? 0),
  };
  const shutdown = new AbortController();
  // Every delayed request listens on this signal; hundreds at once are expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const ctx: SimContext = {
    state: createState(),
    pms: { host: urlHost, port: 0, unreachablePort: options.unreachableConnection ? await closedPort(urlHost) : null },
  };
  const control = createControl({ ctx, createState, rules, log });
  const setup = (target: SimTarget) => (app: FastifyInstance) =>
    instrument(app, { target, rules: rules[target], log, shutdown: shutdown.signal });

  const pms = buildPmsApp(ctx, setup('pms'));
  const plexTv = buildPlexTvApp(ctx, control, setup('plex-tv'));
  const sockets = [
    trackConnections(pms, () => log.recordConnection('pms')),
    trackConnections(plexTv, () => log.recordConnection('plex-tv')),
  ];
  const close = async () => {
    shutdown.abort();
    sockets.forEach((tracker) => tracker.destroyAll());
    await Promise.all([pms.close(), plexTv.close()]);
  };

  try {
    ctx.pms.port = await listen(pms, host, options.pmsPort ?? 0);
    const plexTvPort = await listen(plexTv, host, options.plexTvPort ?? 0);
    const plexTvUrl = `http://${urlHost}:${plexTvPort}`;
    return {
      plexTvUrl,
      clientsPlexTvUrl: plexTvUrl,
      pmsUrl: `http://${urlHost}:${ctx.pms.port}`,
      machineIdentifier: seed.server.machineIdentifier,
      ownerToken: seed.owner.token,
      serverToken: seed.server.accessToken,
      accounts: { owner: { ...seed.owner }, friends: seed.friends.map((friend) => ({ ...friend })) },
      libraries: seed.server.libraries.map((lib) => ({ ...lib })),
      control,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
