import { isoNow, type Clock } from '../../clock.js';
import type { SettingsRepository } from '../settings/settings.repository.js';
import type { DiagnosticReport, DiagnosticStep } from './diagnostics.service.js';

type OnStep = (step: DiagnosticStep) => void;

const KEY = 'plex.lastTest';

/**
 * The last connection test, kept so the dashboard can show it without calling Plex: runs the
 * diagnostics and stores the report; `load()` reads the stored one.
 */
export function createConnectionTests(deps: {
  diagnostics: { run(onStep?: OnStep): Promise<DiagnosticReport> };
  settings: SettingsRepository;
  clock: Clock;
  /** A passing test proves the token works: the "Plex refused Helpr's token" banner goes. */
  onPassed?: () => Promise<unknown>;
}) {
  return {
    async run(onStep?: OnStep): Promise<DiagnosticReport> {
      const report = await deps.diagnostics.run(onStep);
      await deps.settings.set(KEY, report, isoNow(deps.clock));
      if (report.ok) await deps.onPassed?.();
      return report;
    },
    load: (): Promise<DiagnosticReport | undefined> => deps.settings.get<DiagnosticReport>(KEY),
  };
}

export type ConnectionTests = ReturnType<typeof createConnectionTests>;
