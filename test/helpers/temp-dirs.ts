import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Temporary folders for tests. Every one made here is removed after its test file
 * (test/helpers/temp-dirs.setup.ts, a Vitest setup file), so a run leaves nothing in the temp folder.
 */
const made = new Set<string>();

export function tempDir(prefix = 'helpr-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}
