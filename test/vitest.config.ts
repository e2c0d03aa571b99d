import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real servers on loopback ports; files run in separate forks.
    pool: 'forks',
    // Prints a line for every test whose longest event-loop stall was over 100 ms (the goal: none).
    setupFiles: ['test/setup/event-loop-monitor.ts'],
  },
});
