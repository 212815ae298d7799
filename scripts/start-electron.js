#!/usr/bin/env node
// `npm start`: launch the desktop app. `npm install` does not download Electron's binary
// (package.json allowScripts skips electron's postinstall, which aborts the whole install on
// networks that cannot reach its download host), so say how to get it when it is missing.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

function electronBinary() {
  try {
    return { path: require('electron') }
  } catch (error) {
    return { error }
  }
}

const found = electronBinary()
if (!found.path) {
  console.error(`The Electron binary is not installed, so the desktop app cannot start.
npm install skips its download (it needs GitHub's release host). To fetch it once:

  node node_modules/electron/install.js

(behind a proxy, set HTTPS_PROXY first; with an internal mirror, ELECTRON_MIRROR=<url>).
Everything else works without it: npm run web opens the same app in your browser, and
npx bulk-upload is the command line.`)
  process.exit(1)
}
const child = spawn(found.path, ['.', ...process.argv.slice(2)], { stdio: 'inherit' })
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)))
