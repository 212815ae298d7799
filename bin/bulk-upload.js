#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx), so a fresh `npm install` is all it takes:
// no build step stands between an edit and `npx bulk-upload`.
import { register } from 'tsx/esm/api'

register()
await import(new URL('../src/cli/main.ts', import.meta.url).href)
