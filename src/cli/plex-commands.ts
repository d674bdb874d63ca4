import type { Deps } from '../deps.js';
import type { DiagnosticStep } from '../modules/plex/diagnostics.service.js';
import { CliError, EXIT, type CliIo } from './cli-io.js';

const MARK: Record<DiagnosticStep['status'], string> = { ok: 'ok  ', failed: 'FAIL', skipped: 'skip' };

function formatStep(step: DiagnosticStep): string {
  const time = step.status === 'skipped' ? '' : ` (${step.durationMs} ms)`;
  const lines = [`  [${MARK[step.status]}] ${step.label.padEnd(24)} ${step.detail}${time}`];
  // An arrow, not "Fix:": the hints have a colon of their own.
  if (step.hint) lines.push(`         → ${step.hint}`);
  return `${lines.join('\n')}\n`;
}

/** `helpr plex test`: the connection diagnostics, printed as each step completes. */
export async function plexTest(deps: Deps, _args: string[], io: CliIo): Promise<void> {
  const state = await deps.services.plexConnection.state();
  io.stdout.write(`Testing the Plex connection (plex.tv at ${deps.config.plex.tvUrl}, server ${state.serverId ?? 'not chosen'})\n`);
  const report = await deps.services.diagnostics.run((step) => io.stdout.write(formatStep(step)));
  if (!report.ok) {
    const failed = report.steps.find((s) => s.status === 'failed');
    throw new CliError(`The Plex connection test failed at "${failed?.label}".`, EXIT.failure);
  }
  io.stdout.write(`All ${report.steps.length} checks passed.\n`);
}
