import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/setup-home.ts', 'test/setup-dom.ts'],
    // Every `bulk-upload` a test spawns runs the TypeScript source, never a build in build/cli
    // (bin/bulk-upload.js also refuses a stale one; this makes tests independent of it).
    env: { BULK_UPLOAD_FROM_SOURCE: '1' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real servers on free ports; two cores are shared with them.
    maxWorkers: 2,
  },
})
