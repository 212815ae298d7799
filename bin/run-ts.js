#!/usr/bin/env node
// Runs any TypeScript entry point of this repository (benchmarks, scripts) through tsx.
import { register } from 'tsx/esm/api'
import { pathToFileURL } from 'node:url'
import path from 'node:path'

const [entry, ...rest] = process.argv.slice(2)
if (!entry) {
  console.error('usage: node bin/run-ts.js FILE.ts [args...]')
  process.exit(2)
}
process.argv = [process.argv[0], path.resolve(entry), ...rest]
register()
await import(pathToFileURL(path.resolve(entry)).href)
