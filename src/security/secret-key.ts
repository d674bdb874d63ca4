import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StartupError } from '../errors.js';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The configured SECRET_KEY, or the one generated into DATA_DIR on first start (mode 0600) and
 * reused afterwards, so sessions and encrypted secrets survive restarts.
 */
export function loadOrCreateSecretKey(dataDir: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, SECRET_KEY_FILE);
  const existing = readKey(file);
  // Stryker disable next-line ConditionalExpression: without it the 'wx' write below fails on the existing file, which is then read
  if (existing !== undefined) return existing;
  const key = crypto.randomBytes(48).toString('base64url');
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    // 'wx' fails if another instance wrote the file first; then that file wins.
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new StartupError(`Cannot write the secret key to ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  // Read once more, not again and again: a name that exists but cannot be read (a link to nothing)
  // would otherwise go round until the stack ran out.
  const written = readKey(file);
  if (written === undefined) throw new StartupError(`The secret key ${file} exists but cannot be read (a broken link?): remove it or fix it`);
  return written;
}

/** The key in `file`, or undefined when there is no file. */
function readKey(file: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StartupError(`Cannot read the secret key ${file}: ${(error as Error).message}`, { cause: error });
  }
  const key = text.trim();
  if (key.length < 32) throw new StartupError(`The secret key in ${file} is shorter than 32 characters: remove it to generate a new one`);
  return key;
}
