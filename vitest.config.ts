import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts', 'test/http/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Removes the temporary folders each test file made (test/helpers/temp-dirs.ts).
    setupFiles: ['test/helpers/temp-dirs.setup.ts'],
    reporters: ['default'],
  },
});
