import { createServer, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createPlexClient, type PlexClient } from '../../src/plex/plex-client.js';
import { PlexError, type PlexErrorKind } from '../../src/plex/plex.errors.js';
import { startPlexSimulator, type PlexSimulator, type PlexSimulatorOptions } from '../../tools/plex-sim/index.js';

/** The installation id the tests' clients send; stable so PIN create and poll agree. */
export const TEST_CLIENT_ID = 'helpr-test-client-3f6c2a';

export interface ClientOptions {
  timeoutMs?: number;
  connectionsPerOrigin?: number;
  streamsPerConnection?: number;
  clientIdentifier?: string;
  appUrl?: string;
}

/** The environment of an installation set up against the simulator: plex.tv's URLs, the owner's token and server. */
export function simulatorEnv(sim: PlexSimulator): Record<string, string> {
  return { PLEX_TOKEN: sim.ownerToken, PLEX_SERVER_ID: sim.machineIdentifier, PLEX_TV_URL: sim.plexTvUrl, PLEX_CLIENTS_URL: sim.clientsPlexTvUrl };
}

export const startSim = (options: PlexSimulatorOptions = {}): Promise<PlexSimulator> => startPlexSimulator(options);

/** A Plex client whose plex.tv and clients.plex.tv both point at the simulator (trusting its TLS certificate). */
export function clientFor(sim: PlexSimulator, options: ClientOptions = {}): PlexClient {
  return createPlexClient({
    urls: { tvUrl: sim.plexTvUrl, clientsUrl: sim.clientsPlexTvUrl, appUrl: options.appUrl },
    clientIdentifier: options.clientIdentifier ?? TEST_CLIENT_ID,
    timeoutMs: options.timeoutMs,
    connectionsPerOrigin: options.connectionsPerOrigin,
    streamsPerConnection: options.streamsPerConnection,
    ca: sim.tlsCaPem,
  });
}

/** The simulator transports Plex client suites run over: HTTP/1.1, and HTTPS with HTTP/2 like real plex.tv. */
export const TRANSPORTS = [
  { name: 'HTTP/1.1', tls: false },
  { name: 'HTTPS + HTTP/2', tls: true },
] as const;

/**
 * One simulator per test file, its state reset before each test (every test owns its data), and
 * every client made through `client()` closed after the test.
 */
export function useSimulator(options: PlexSimulatorOptions = {}) {
  let current: PlexSimulator | undefined;
  const open: PlexClient[] = [];
  beforeAll(async () => {
    current = await startSim(options);
  });
  beforeEach(() => {
    current?.control.reset();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await current?.close();
  });
  const sim = (): PlexSimulator => {
    if (!current) throw new Error('the simulator is not started yet');
    return current;
  };
  return {
    get sim(): PlexSimulator {
      return sim();
    },
    client(clientOptions: ClientOptions = {}): PlexClient {
      const client = clientFor(sim(), clientOptions);
      open.push(client);
      return client;
    },
  };
}

/** Runs the call and returns the PlexError it threw; fails when it resolves or throws anything else. */
export async function plexFailure(promise: Promise<unknown>, kind?: PlexErrorKind): Promise<PlexError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (!(error instanceof PlexError)) throw error;
    if (kind && error.kind !== kind) throw new Error(`expected a ${kind} PlexError, got ${error.kind}: ${error.message}`, { cause: error });
    return error;
  }
  throw new Error(`expected a PlexError, but the call succeeded with ${JSON.stringify(result)}`);
}

/** A URL on a port that was free a moment ago and has nothing listening on it now. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
