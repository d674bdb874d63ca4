import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.spec.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // Removes the temporary folders each test file made (test/helpers/temp-dirs.ts).
    setupFiles: ['test/helpers/temp-dirs.setup.ts'],
  },
});
