import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Native kernels use their own thread pool; two vitest workers are enough on two cores.
    maxWorkers: 2,
  },
});
