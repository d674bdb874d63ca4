import fs from 'node:fs';

/**
 * Reading the environment for src/config.ts: a variable's value, or a secret's from the file its
 * NAME_FILE names, and the one error a bad value stops the start with.
 */

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** A variable's value, trimmed; undefined when unset or blank. */
export function read(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * The secrets that may also come from a file, as Docker and Kubernetes hand secrets over:
 * `SECRET_KEY_FILE=/run/secrets/helpr_secret_key` instead of `SECRET_KEY=...`.
 */
export const SECRET_VARIABLES = ['SECRET_KEY', 'DATABASE_URL', 'REDIS_URL', 'PLEX_TOKEN', 'ADMIN_PASSWORD', 'METRICS_TOKEN'] as const;
type SecretVariable = (typeof SECRET_VARIABLES)[number];

/**
 * A secret from NAME or from the file NAME_FILE names (its content, without the line break an
 * editor or `echo` leaves at the end). Both set is an error: which one wins would be a guess.
 */
export function readSecret(env: Env, name: SecretVariable, options: { trim?: boolean } = {}): string | undefined {
  const fileVariable = `${name}_FILE`;
  const file = read(env, fileVariable);
  const direct = options.trim === false ? (env[name] === '' ? undefined : env[name]) : read(env, name);
  if (file === undefined) return direct;
  if (direct !== undefined) throw new ConfigError(name, `and ${fileVariable} are both set: set only one of them`);
  // A value that is no path may be the secret itself, put in NAME_FILE by mistake: never repeated.
  const shown = /^\.{0,2}\/[^:@\s]*$/.test(file) ? file : `its value is no file path: set ${name} for the value itself`;
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(fileVariable, `names a file Helpr cannot read (${shown}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  const value = content.replace(/\r?\n$/, '');
  const secret = options.trim === false ? value : value.trim();
  if (secret === '') throw new ConfigError(fileVariable, `names an empty file (${shown})`);
  return secret;
}
