/**
 * Builds the renderer. `base: './'` keeps asset paths relative, so the same build loads from
 * file:// in Electron and over http from the web host. `--mode fake-host` also builds the
 * dev-only page (renderer/dev/) that mounts the wizard on an in-memory api for screenshots;
 * it goes to a separate folder and never into the app.
 */
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

const renderer = fileURLToPath(new URL('./renderer/', import.meta.url))

export default defineConfig(({ mode }) => {
  const fakeHost = mode === 'fake-host'
  const input: Record<string, string> = fakeHost ? { 'fake-host': `${renderer}dev/fake-host.html` } : { index: `${renderer}index.html` }
  return {
    root: 'renderer',
    base: './',
    plugins: [react()],
    build: {
      outDir: fakeHost ? '../build/renderer-dev' : '../build/renderer',
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
      rollupOptions: {
        input,
      },
    },
  }
})
