import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { usageError, type CliIo } from './cli-io.js';
import { readNewPassword } from './read-password.js';

const OPTIONS = {
  username: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
} as const;

function parseAdminArgs(args: string[], command: string) {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (!values.username) throw usageError(`Usage: helpr admin ${command} --username NAME [--password-stdin]`);
  return { username: values.username, passwordStdin: values['password-stdin'] ?? false };
}

export async function adminCreate(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { username, passwordStdin } = parseAdminArgs(args, 'create');
  const password = await readNewPassword(io, passwordStdin);
  const admin = await deps.services.admins.createAdmin({ username, password });
  io.stdout.write(`Admin "${admin.username}" created. Sign in at /admin/login.\n`);
}

export async function adminResetPassword(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { username, passwordStdin } = parseAdminArgs(args, 'reset-password');
  const password = await readNewPassword(io, passwordStdin);
  const admin = await deps.services.admins.resetPassword({ username, password });
  const ended = await deps.repositories.sessions.deleteForAdmin(admin.id);
  io.stdout.write(`Password of "${admin.username}" changed; ${ended} signed-in session(s) ended.\n`);
}
