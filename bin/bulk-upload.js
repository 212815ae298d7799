#!/usr/bin/env node
// The `bulk-upload` command. It runs the compiled build (build/cli, made by `npm install`
// through `prepare`, or `node scripts/build-cli.js`) while every source file in it is
// unchanged, so a user's command starts without transpiling; otherwise, or with
// BULK_UPLOAD_FROM_SOURCE=1 (tests, development), it runs the TypeScript source through tsx,
// so an edit never runs old code and no build step stands between an edit and `npx bulk-upload`.
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'

const root = new URL('../', import.meta.url)

function buildIsCurrent() {
  if (process.env.BULK_UPLOAD_FROM_SOURCE === '1') return false
  try {
    const { inputs } = JSON.parse(readFileSync(new URL('build/cli/inputs.json', root), 'utf8'))
    for (const [file, mtimeMs, size] of inputs) {
      const s = statSync(new URL(file, root))
      if (s.mtimeMs !== mtimeMs || s.size !== size) return false
    }
    return inputs.length > 0
  } catch {
    return false // no build, or an unreadable one: the source is always right
  }
}

if (buildIsCurrent()) {
  // CommonJS, and it runs the command as it loads (src/cli/launch.ts).
  createRequire(import.meta.url)('../build/cli/main.js')
} else {
  const { register } = await import('tsx/esm/api')
  register()
  const { main } = await import(new URL('src/cli/main.ts', root).href)
  await main()
}
