import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startPlexSimulator, type PlexSimulator } from './simulator.js';

export interface CliSettings {
  host: string;
  plexTvPort: number;
  pmsPort: number;
  latencyMs: number;
  unreachableConnection: boolean;
  tls: boolean;
}

export const CLI_USAGE = `Usage: plex-sim [options]

Runs a simulated plex.tv (+ clients.plex.tv) and Plex Media Server in the foreground.

  --host <addr>              listen address          (PLEX_SIM_HOST, default 127.0.0.1)
  --plex-tv-port <port>      plex.tv port            (PLEX_SIM_PLEX_TV_PORT, default 32401)
  --pms-port <port>          media server port       (PLEX_SIM_PMS_PORT, default 32400)
  --latency-ms <ms>          delay every plex.tv answer (PLEX_SIM_LATENCY_MS, default 0)
  --unreachable-connection   list a dead local connection before the working one
  --tls                      plex.tv over HTTPS with HTTP/2, like the real one (PLEX_SIM_TLS=1);
                             its self-signed certificate is written to a file to trust
                             (NODE_EXTRA_CA_CERTS=<file> for Helpr)
  --help                     show this text

Control API: <plex.tv url>/__sim/... (see tools/plex-sim/routes-control.ts).`;

function integer(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new Error(`${name} must be an integer from 0 to ${max}, got "${raw}"`);
  }
  return value;
}

/** Flags win over environment variables, which win over defaults. Returns null for --help. */
export function readCliSettings(argv: string[], env: Record<string, string | undefined>): CliSettings | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      'plex-tv-port': { type: 'string' },
      'pms-port': { type: 'string' },
      'latency-ms': { type: 'string' },
      'unreachable-connection': { type: 'boolean' },
      tls: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return null;
  return {
    host: values.host ?? env.PLEX_SIM_HOST ?? '127.0.0.1',
    plexTvPort: integer('plex.tv port', values['plex-tv-port'] ?? env.PLEX_SIM_PLEX_TV_PORT, 32401, 65535),
    pmsPort: integer('PMS port', values['pms-port'] ?? env.PLEX_SIM_PMS_PORT, 32400, 65535),
    latencyMs: integer('latency', values['latency-ms'] ?? env.PLEX_SIM_LATENCY_MS, 0, 600_000),
    unreachableConnection: values['unreachable-connection'] ?? false,
    tls: values.tls ?? ['1', 'true'].includes(env.PLEX_SIM_TLS ?? ''),
  };
}

export function describeSimulator(sim: PlexSimulator, caFile?: string): string {
  const friends = sim.accounts.friends.map((friend) => `${friend.username}=${friend.token}`).join(', ');
  return [
    ...(caFile ? [`plex.tv certificate (CA)   ${caFile}  (NODE_EXTRA_CA_CERTS=${caFile} npm start)`] : []),
    `plex.tv                    ${sim.plexTvUrl}`,
    `clients.plex.tv            ${sim.clientsPlexTvUrl}`,
    `app.plex.tv sign-in page   ${sim.plexTvUrl}/auth  (PLEX_APP_URL=${sim.plexTvUrl})`,
    `media server               ${sim.pmsUrl}`,
    `machine identifier         ${sim.machineIdentifier}`,
    `owner token                ${sim.ownerToken}  (${sim.accounts.owner.username} <${sim.accounts.owner.email}>)`,
    `server access token        ${sim.serverToken}`,
    `friend tokens              ${friends}`,
    `libraries (key -> id)      ${sim.libraries.map((lib) => `${lib.title} ${lib.key} -> ${lib.id}`).join(', ')}`,
    `control API                ${sim.plexTvUrl}/__sim/state`,
  ].join('\n');
}

/** `npm run plex-sim` / `helpr plex-sim`: start, print where things are, stop on SIGINT/SIGTERM. */
export async function runPlexSimCli(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  const settings = readCliSettings(argv, env);
  if (!settings) {
    console.log(CLI_USAGE);
    return;
  }
  const sim = await startPlexSimulator(settings);
  const caDir = sim.tlsCaPem ? fs.mkdtempSync(path.join(os.tmpdir(), 'plex-sim-ca-')) : undefined;
  const caFile = caDir && path.join(caDir, 'plex-sim-ca.pem');
  if (caFile) fs.writeFileSync(caFile, sim.tlsCaPem!);
  console.log(describeSimulator(sim, caFile));
  const stop = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the Plex simulator`);
    // A second signal while closing means "now".
    process.once(signal, () => process.exit(1));
    if (caDir) fs.rmSync(caDir, { recursive: true, force: true });
    sim.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
