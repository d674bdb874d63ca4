import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dirs.js';

// Registered before the test file's own hooks, so it runs after them (Vitest runs after-hooks in
// reverse order): apps and child processes using the folders are closed by then.
afterAll(() => removeTempDirs());
