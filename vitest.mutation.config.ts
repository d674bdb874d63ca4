import { defineConfig, type Plugin } from 'vitest/config';

// The tests Stryker runs against each mutant (stryker.config.mjs). Only tests that import the code in
// their own process can see a mutant: test/integration and the browser tests start built code in
// child processes, so they are left out (they would only slow every mutant down).
const IN_PROCESS = ['src/**/*.test.ts', 'tools/**/*.test.ts', 'test/http/**/*.test.ts'];
// Files that replace a module with vi.mock need a module registry of their own.
const MOCKING = ['src/modules/invite-codes/invite-codes.service.test.ts'];
// The fuzz suite throws hostile values at every route and checks only that nothing answers 500: it
// reaches nearly every mutant, kills almost none of them (a mutant rarely turns a 4xx into a 500),
// and would run for each (tens of seconds). `npm test` runs it.
const NOT_FOR_MUTANTS = ['test/http/fuzz.test.ts'];

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
      { extends: true, plugins: [childProcesses], test: { name: 'shared', include: IN_PROCESS, exclude: [...MOCKING, ...NOT_FOR_MUTANTS], isolate: false } },
      { extends: true, plugins: [childProcesses], test: { name: 'isolated', include: MOCKING } },
    ],
  },
});
