import { setMaxListeners } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { systemClock, type SimClock } from './clock.js';
import type { SimContext } from './context.js';
import { createControl, type SimControl } from './control.js';
import { instrument, trackConnections, type ConnectionTracker } from './instrument.js';
import { buildPlexTvApp, CLIENTS_PREFIX } from './plex-tv-app.js';
import { buildPmsApp } from './pms-app.js';
import { resolveSeed, type SeedAccount, type SeedLibrary, type SeedOverrides } from './seed.js';
import { DEFAULT_BEHAVIOUR, SimState, type SimBehaviour } from './sim-state.js';
import { TrafficLog } from './traffic-log.js';
import type { SimCertificate } from './tls-cert.js';
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
  /**
   * Serve plex.tv over HTTPS with ALPN offering h2 and http/1.1, as the real one does, with a
   * self-signed certificate made at start (see `tlsCaPem`). The media server stays plain HTTP.
   */
  tls?: boolean;
}

export interface PlexSimulator {
  /** plex.tv; https:// with the `tls` option. */
  plexTvUrl: string;
  /** clients.plex.tv: the same listener under a path prefix. Only it answers the v2 shared_servers family. */
  clientsPlexTvUrl: string;
  pmsUrl: string;
  machineIdentifier: string;
  ownerToken: string;
  /** The PMS access token plex.tv hands out in resources. */
  serverToken: string;
  accounts: { owner: SeedAccount; friends: SeedAccount[] };
  libraries: SeedLibrary[];
  control: SimControl;
  /**
   * With `tls`: the PEM of plex.tv's self-signed certificate (for 127.0.0.1, localhost and the
   * listen address), for clients to trust as a CA; undefined otherwise.
   */
  tlsCaPem: string | undefined;
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

/** Loaded only when asked for: the certificate library is a dev dependency, absent from production installs. */
async function simCertificate(host: string): Promise<SimCertificate> {
  const module = await import('./tls-cert.js').catch((error: unknown) => {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error('the simulator needs its dev dependencies for TLS (@peculiar/x509): run npm install', { cause: error });
  });
  return module.createSimCertificate(host);
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
  const sockets: ConnectionTracker[] = [];
  const setup = (target: SimTarget) => (app: FastifyInstance) => {
    const tracker = trackConnections(app, () => log.recordConnection(target));
    sockets.push(tracker);
    instrument(app, { target, rules: rules[target], log, shutdown: shutdown.signal, sockets: tracker });
  };
  const tls = options.tls ? await simCertificate(urlHost) : undefined;

  const pms = buildPmsApp(ctx, setup('pms'));
  const plexTv = buildPlexTvApp(ctx, control, setup('plex-tv'), tls);
  const close = async () => {
    shutdown.abort();
    sockets.forEach((tracker) => tracker.destroyAll());
    await Promise.all([pms.close(), plexTv.close()]);
  };

  try {
    ctx.pms.port = await listen(pms, host, options.pmsPort ?? 0);
    const plexTvPort = await listen(plexTv, host, options.plexTvPort ?? 0);
    const plexTvUrl = `${tls ? 'https' : 'http'}://${urlHost}:${plexTvPort}`;
    return {
      plexTvUrl,
      clientsPlexTvUrl: `${plexTvUrl}${CLIENTS_PREFIX}`,
      pmsUrl: `http://${urlHost}:${ctx.pms.port}`,
      machineIdentifier: seed.server.machineIdentifier,
      ownerToken: seed.owner.token,
      serverToken: seed.server.accessToken,
      accounts: { owner: { ...seed.owner }, friends: seed.friends.map((friend) => ({ ...friend })) },
      libraries: seed.server.libraries.map((lib) => ({ ...lib })),
      control,
      tlsCaPem: tls?.certPem,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
