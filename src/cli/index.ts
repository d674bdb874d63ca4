import { parseArgs } from 'node:util';
import { destination, pino } from 'pino';
import { loadConfig, type Config } from '../config.js';
import { migrateToLatest, pendingMigrations } from '../db/migrate.js';
import { createDeps, type Deps } from '../deps.js';
import { isAppError } from '../errors.js';
import { adminCreate, adminList, adminResetPassword } from './admin-commands.js';
import { apiKeyCreate } from './api-key-commands.js';
import { backup, restore } from './backup-commands.js';
import { exportData } from './export-command.js';
import { plexTest } from './plex-commands.js';
import { CliError, EXIT, usageError, type CliIo } from './cli-io.js';

const HELP = `Usage: helpr <command>

Commands:
  migrate [--dry-run]                         apply database migrations (--dry-run: list what would run)
  admin create --username NAME [--role owner|viewer] [--password-stdin]
                                              create an admin, an owner unless told (password prompted, or read from stdin)
  admin list                                  the admins and their roles
  admin reset-password --username NAME [--password-stdin]
                                              set a new password and end that admin's sessions
  api-key create --name NAME                  create an API key for /api/v1 and print it (shown only once)
  plex test                                   test the Plex connection step by step (exit 0 when all pass)
  backup FILE [--force]                       copy the SQLite database to FILE, consistent while Helpr runs
  restore FILE [--force]                      put a backup in place of the SQLite database (stop Helpr first)
  export [--format json|csv] [--only invitations|users|codes]
                                              print the invitations, users and codes (CSV: one table, --only)
  plex-sim [--plex-tv-port N] [--pms-port N]  run the Plex simulator (for demos and tests)
  help                                        show this text

Configuration comes from the environment (see README), e.g. DATABASE_URL.
`;

type Command = (deps: Deps, args: string[], io: CliIo) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  migrate: async (deps, args, io) => {
    const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean' } } });
    if (values['dry-run']) {
      const pending = await pendingMigrations(deps.database);
      io.stdout.write(pending.length ? `Would apply: ${pending.join(', ')}\n` : 'The database is up to date: nothing would run.\n');
      return;
    }
    const { applied } = await migrateToLatest(deps.database);
    io.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
  },
  'admin create': adminCreate,
  'admin list': adminList,
  'admin reset-password': adminResetPassword,
  'api-key create': apiKeyCreate,
  'plex test': plexTest,
  export: exportData,
};

/** Commands that work on the database file itself, without opening (and migrating) it as an app would. */
const FILE_COMMANDS: Record<string, (config: Config, args: string[], io: CliIo) => Promise<void>> = { backup, restore };

const APP_ERROR_EXIT: Record<string, number> = {
  'admin.duplicate_username': EXIT.conflict,
  'admin.not_found': EXIT.notFound,
};

function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (isAppError(error)) return APP_ERROR_EXIT[error.code] ?? (error.status < 500 ? EXIT.invalid : EXIT.failure);
  if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return EXIT.usage;
  return EXIT.failure;
}

/** Runs one CLI command and returns its exit code; every error becomes one line on stderr. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [first, second] = argv;
  if (!first || first === 'help' || first === '--help' || first === '-h') {
    io.stdout.write(HELP);
    return first ? EXIT.ok : EXIT.usage;
  }
  // The simulator is a separate program: no database, no configuration.
  if (first === 'plex-sim') {
    const { runPlexSimCli } = await import('../../tools/plex-sim/cli.js');
    await runPlexSimCli(argv.slice(1), io.env);
    return EXIT.ok;
  }
  if (FILE_COMMANDS[first]) {
    try {
      await FILE_COMMANDS[first](loadConfig(io.env), argv.slice(1), io);
      return EXIT.ok;
    } catch (error) {
      io.stderr.write(`helpr: ${error instanceof Error ? error.message : String(error)}\n`);
      return exitCodeFor(error);
    }
  }
  const name = [`${first} ${second ?? ''}`.trim(), first].find((candidate) => COMMANDS[candidate]);
  let deps: Deps | undefined;
  try {
    if (!name) throw usageError(`Unknown command "${argv.join(' ')}". Run "helpr help".`);
    const args = argv.slice(name.split(' ').length);
    // Warnings and worse go to stderr; a command's own output stays readable on stdout.
    const logger = pino({ level: 'warn' }, destination(2));
    deps = await createDeps(loadConfig(io.env), { connectRedis: false, logger });
    if (name !== 'migrate') await migrateToLatest(deps.database);
    await COMMANDS[name]!(deps, args, io);
    return EXIT.ok;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`helpr: ${message}\n`);
    return exitCodeFor(error);
  } finally {
    await deps?.close();
  }
}
