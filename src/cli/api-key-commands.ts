import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { usageError, type CliIo } from './cli-io.js';

const USAGE = 'Usage: helpr api-key create --name NAME';

/** Creates an API key and prints it: the only time it is ever shown (Helpr stores a hash). */
export async function apiKeyCreate(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { name: { type: 'string' } }, strict: true });
  if (!values.name?.trim()) throw usageError(USAGE);
  const { key, view } = await deps.services.apiKeys.create({ name: values.name, createdBy: 'cli' }, { name: 'cli', type: 'system', ip: null });
  // The key alone on stdout, so `KEY=$(helpr api-key create --name x)` captures just the key.
  io.stdout.write(`${key}\n`);
  io.stderr.write(`API key "${view.name}" created. Copy it now: it is shown only this once.\n`);
}
