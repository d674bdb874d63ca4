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
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
    throw new StartupError(`The secret key in ${file} is shorter than 32 characters: remove it to generate a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (error instanceof StartupError) throw error;
      throw new StartupError(`Cannot read the secret key ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  const key = crypto.randomBytes(48).toString('base64url');
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    // 'wx' fails if another instance wrote the file first; then that file wins.
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateSecretKey(dataDir, undefined);
    throw new StartupError(`Cannot write the secret key to ${file}: ${(error as Error).message}`, { cause: error });
  }
}
