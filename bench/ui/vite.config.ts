/**
 * Builds the UI bench's harness page (bench/ui/harness.html) into bench/out/ui, which git
 * ignores. A production build, as the app ships: the figures must be those of the real bundle,
 * not of React's development mode. `npm run bench -- ui` runs it; nothing here is part of the app.
 */
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  mode: 'production',
  logLevel: 'warn',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../out/ui/', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { harness: fileURLToPath(new URL('./harness.html', import.meta.url)) } },
  },
  worker: { format: 'es' },
})
