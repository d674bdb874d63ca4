import type { Clock } from '../../clock.js';
import { isPlexError } from '../../plex/plex.errors.js';
import type { PlexConnection } from './plex-connection.service.js';
import { librariesHint, serverHint, tokenHint, unreachableHint } from './diagnostics.steps.js';
import type { LibraryMapping } from './library-mapping.js';

export type StepName = 'token' | 'server' | 'reachable' | 'libraries' | 'mapping';

export interface DiagnosticStep {
  name: StepName;
  label: string;
  status: 'ok' | 'failed' | 'skipped';
  durationMs: number;
  detail: string;
  hint?: string;
}

export interface DiagnosticReport {
  ok: boolean;
  startedAt: string;
  steps: DiagnosticStep[];
}

export const STEP_LABELS: Record<StepName, string> = {
  token: 'Plex token is valid',
  server: 'Server found and owned',
  reachable: 'Server reachable',
  libraries: 'Libraries readable',
  mapping: 'Libraries ready to share',
};

class StepFailure extends Error {
  constructor(
    readonly detail: string,
    readonly hint: string,
  ) {
    super(detail);
  }
}

/**
 * The connection test: token -> server -> reachable -> libraries -> mapping. Each step reports
 * ok or failed with its time and a plain fix; after a failure the rest are skipped. `onStep` lets a
 * page show the steps as they complete.
 */
export function createDiagnostics(deps: {
  connection: PlexConnection;
  mapping: LibraryMapping;
  clock: Clock;
  probeTimeoutMs?: number;
  selectedLibraries?: () => Promise<string[]>;
  /** Plex refused the token: every admin page says so (token-refusal.ts). */
  onTokenRefused?: (token: string) => Promise<unknown>;
}) {
  const probeTimeoutMs = deps.probeTimeoutMs ?? 5000;

  return {
    async run(onStep?: (step: DiagnosticStep) => void): Promise<DiagnosticReport> {
      const startedAt = deps.clock.now().toISOString();
      const steps: DiagnosticStep[] = [];
      const state = await deps.connection.state();
      const client = await deps.connection.client();
      const context: Record<string, unknown> = {};

      const checks: Record<StepName, () => Promise<string>> = {
        token: async () => {
          if (!state.token) throw new StepFailure('No Plex token is set.', 'Sign in with Plex in the admin area, or set PLEX_TOKEN.');
          try {
            const account = await client.tv.getAccount(state.token);
            return `Signed in as ${account.username}${account.email ? ` (${account.email})` : ''}`;
          } catch (error) {
            if (isPlexError(error) && error.kind === 'invalid_token') await deps.onTokenRefused?.(state.token).catch(() => undefined);
            throw new StepFailure((error as Error).message, tokenHint(error));
          }
        },
        server: async () => {
          const servers = await client.tv.getServers(state.token!).catch((error: unknown) => {
            throw new StepFailure((error as Error).message, tokenHint(error));
          });
          const server = servers.find((s) => s.clientIdentifier === state.serverId && s.owned);
          if (!server) throw new StepFailure(state.serverId ? `Server ${state.serverId} is not among this account's own servers.` : 'No server is chosen.', serverHint(state.serverId, servers));
          context.server = server;
          await deps.connection.rememberServerName(server.clientIdentifier, server.name).catch(() => undefined);
          return `${server.name}, owned by this account`;
        },
        reachable: async () => {
          const server = context.server as Awaited<ReturnType<typeof client.tv.getServers>>[number];
          const override = state.serverUrl ? [{ uri: state.serverUrl, local: true, relay: false }] : [];
          const probe = await client.pms.probe([...override, ...server.connections], server.clientIdentifier, server.accessToken ?? state.token!, probeTimeoutMs);
          context.probe = probe;
          if (!probe.chosen) throw new StepFailure(`No address answered (${probe.connections.length} tried).`, unreachableHint(probeTimeoutMs, probe.identityMismatch));
          const kind = probe.chosen.relay ? 'relay' : probe.chosen.local ? 'local' : 'remote';
          return `Answered at ${probe.chosen.uri} (${kind}) in ${probe.chosen.latencyMs} ms`;
        },
        libraries: async () => {
          const probe = context.probe as Awaited<ReturnType<typeof client.pms.probe>>;
          if (!probe.libraries) throw new StepFailure(probe.librariesError?.message ?? 'The libraries could not be read.', librariesHint(probe.librariesError));
          return `${probe.libraries.length} ${probe.libraries.length === 1 ? 'library' : 'libraries'}: ${probe.libraries.map((l) => l.title).join(', ')}`;
        },
        mapping: async () => {
          const probe = context.probe as Awaited<ReturnType<typeof client.pms.probe>>;
          deps.mapping.invalidate();
          const wanted = (await deps.selectedLibraries?.()) ?? [];
          const keys = [...new Set([...probe.libraries!.map((l) => l.key), ...wanted])];
          const { libraries, missing } = await deps.mapping.resolve(keys).catch((error: unknown) => {
            throw new StepFailure((error as Error).message, tokenHint(error));
          });
          if (missing.length) {
            const selectedGone = missing.filter((k) => wanted.includes(k));
            const hint = selectedGone.length
              ? `${selectedGone.length === 1 ? 'Selected library' : 'Selected libraries'} ${selectedGone.join(', ')} no longer ${selectedGone.length === 1 ? 'exists' : 'exist'}: choose the libraries for new friends again.`
              : 'plex.tv does not list every library of the server yet: wait a minute (or restart Plex Media Server) and test again.';
            throw new StepFailure(`plex.tv does not list ${missing.length === 1 ? 'library' : 'libraries'} ${missing.join(', ')} yet, so ${missing.length === 1 ? 'it' : 'they'} cannot be shared.`, hint);
          }
          // The selection may name libraries by title: count libraries, not the names asked for.
          const mapped = new Set(libraries.map((library) => library.globalId)).size;
          return `${mapped} of ${probe.libraries!.length} libraries ready to share`;
        },
      };

      let failed = false;
      for (const name of Object.keys(checks) as StepName[]) {
        const started = performance.now();
        let step: DiagnosticStep;
        if (failed) {
          step = { name, label: STEP_LABELS[name], status: 'skipped', durationMs: 0, detail: 'Skipped: an earlier step failed.' };
        } else {
          try {
            const detail = await checks[name]();
            step = { name, label: STEP_LABELS[name], status: 'ok', durationMs: Math.round(performance.now() - started), detail };
          } catch (error) {
            failed = true;
            const failure = error instanceof StepFailure ? error : new StepFailure((error as Error).message, tokenHint(error));
            step = { name, label: STEP_LABELS[name], status: 'failed', durationMs: Math.round(performance.now() - started), detail: failure.detail, hint: failure.hint };
          }
        }
        steps.push(step);
        onStep?.(step);
      }
      return { ok: !failed, startedAt, steps };
    },
  };
}

export type Diagnostics = ReturnType<typeof createDiagnostics>;
