import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup-home.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real servers on free ports; two cores are shared with them.
    maxWorkers: 2,
  },
})
