import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Deps } from '../deps.js';
import { isAdminRole } from '../modules/admins/admin-roles.js';
import type { AuditActor } from '../modules/audit/audit.service.js';
import { usageError, type CliIo } from './cli-io.js';
import { readNewPassword } from './read-password.js';

const OPTIONS = {
  username: { type: 'string' },
  role: { type: 'string', default: 'owner' },
  'password-stdin': { type: 'boolean', default: false },
} as const;

function parseAdminArgs(args: string[], command: string, usage: string) {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (!values.username) throw usageError(`Usage: helpr admin ${command} ${usage}`);
  return { username: values.username, role: values.role ?? 'owner', passwordStdin: values['password-stdin'] ?? false };
}

/** Someone with shell access, named by their system user, in the audit log (issue 17). */
const cliActor = (): AuditActor => ({ name: `${os.userInfo().username} (command line)`, type: 'cli', ip: null });

export async function adminCreate(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { username, role, passwordStdin } = parseAdminArgs(args, 'create', '--username NAME [--role owner|viewer] [--password-stdin]');
  if (!isAdminRole(role)) throw usageError(`helpr admin create: --role is owner or viewer (got "${role}")`);
  const password = await readNewPassword(io, passwordStdin);
  const admin = await deps.services.admins.createAdmin({ username, password, role }, cliActor());
  io.stdout.write(`Admin "${admin.username}" (${admin.role}) created. Sign in at /admin/login.\n`);
}

export async function adminList(deps: Deps, args: string[], io: CliIo): Promise<void> {
  if (args.length > 0) throw usageError('Usage: helpr admin list');
  const admins = await deps.services.admins.list();
  if (admins.length === 0) {
    io.stdout.write('No admins yet: create one with helpr admin create --username NAME.\n');
    return;
  }
  const width = Math.max(8, ...admins.map((admin) => admin.username.length));
  io.stdout.write(`${'USERNAME'.padEnd(width)}  ROLE    CREATED\n`);
  for (const admin of admins) io.stdout.write(`${admin.username.padEnd(width)}  ${admin.role.padEnd(6)}  ${admin.createdAt}\n`);
}

export async function adminResetPassword(deps: Deps, args: string[], io: CliIo): Promise<void> {
  const { username, passwordStdin } = parseAdminArgs(args, 'reset-password', '--username NAME [--password-stdin]');
  const password = await readNewPassword(io, passwordStdin);
  const admin = await deps.services.admins.resetPassword({ username, password }, cliActor());
  const ended = await deps.repositories.sessions.deleteForAdmin(admin.id);
  io.stdout.write(`Password of "${admin.username}" changed; ${ended} signed-in session(s) ended.\n`);
}
