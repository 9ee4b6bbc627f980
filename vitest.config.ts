import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    setupFiles: ['tests/support/setup-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // At least two test files at a time, also on a 2-core machine (vitest's default there is one):
    // most of the suite waits on sockets, timers and child processes, so two share the cores well
    // (the whole run: 273 s with one, 172 s with two), and the timing tests compare ratios measured
    // back to back, which load on the other core slows alike.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
  },
});
