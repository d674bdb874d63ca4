import { defineConfig, type Plugin } from 'vitest/config';

// The tests Stryker runs against each mutant (stryker.config.mjs). Only tests that import the code in
// their own process can see a mutant: test/integration and the browser tests start built code in
// child processes, so they are left out (they would only slow every mutant down).
const IN_PROCESS = ['src/**/*.test.ts', 'tools/**/*.test.ts', 'test/http/**/*.test.ts'];
// Files that replace a module with vi.mock need a module registry of their own.
const MOCKING = ['src/modules/invite-codes/invite-codes.service.test.ts'];

// Stryker's runner asks for worker threads, but argon2 aborts the whole process when a worker thread
// ends with a hash in flight (a killed mutant stops its run mid-test): child processes instead. Set
// after Vitest merged the runner's options into each project, as its own vitest:tags plugin does.
const childProcesses: Plugin = {
  name: 'helpr:mutation-forks',
  configResolved(config) {
    (config as { test?: { pool?: string } }).test!.pool = 'forks';
  },
};

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Mutation runs use SQLite and in-memory counters: the PostgreSQL and Redis suites repeat the same
    // service code on another store (the full `npm test` runs them), and CI=true would make their absence
    // a failure here.
    env: { CI: 'false', TEST_DATABASE_URL: '', TEST_REDIS_URL: '' },
    // The second counts what a file reaches outside its tests (beforeAll) for each of its tests.
    setupFiles: ['test/helpers/temp-dirs.setup.ts', 'test/helpers/stryker-coverage.setup.ts'],
    projects: [
      // One process for all files (isolate: false): a mutant's run then costs its tests, not a fresh
      // import of the app per file (about three times faster).
      { extends: true, plugins: [childProcesses], test: { name: 'shared', include: IN_PROCESS, exclude: MOCKING, isolate: false } },
      { extends: true, plugins: [childProcesses], test: { name: 'isolated', include: MOCKING } },
    ],
  },
});
