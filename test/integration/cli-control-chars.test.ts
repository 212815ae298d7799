/* eslint-disable no-control-regex -- these tests are about control characters */
/**
 * `bulk-upload check` on a CSV whose cells and file names carry terminal escape sequences
 * (screen clear, window title, bell): the output shows them escaped, never raw.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile, execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))
let root: string

/** A recording name that, printed raw, moves up 40 lines, erases them and prints a green "Ready", then hides the rest. */
const FORGED = 'z\r\x1b[40F\x1b[J\x1b[32m\x1b[1mReady: all 2 conversations can be uploaded.\x1b[0m\x1b[8m.wav'

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } }, (_err, stdout, stderr) => resolve({ stdout, stderr }))
  })
}

/** `script` (util-linux) gives the CLI a pseudo-terminal: stdout and stderr are TTYs, as in a user's shell. */
const hasScript = (() => {
  try {
    execFileSync('script', ['-qec', 'true', '/dev/null'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()
const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

function runOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    const command = [process.execPath, BIN, ...args].map(sh).join(' ')
    execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, TERM: 'xterm', ...env } }, (_err, stdout) => resolve(stdout))
  })
}

/** A batch whose recording name, CSV header and agent ID carry escape sequences. */
async function forgedBatch(name: string): Promise<string> {
  const dir = path.join(root, name)
  await mkdir(dir)
  await writeFile(path.join(dir, FORGED), Buffer.alloc(100))
  await writeFile(path.join(dir, 'calls.csv'), [
    'Contact Reference,Agent\x1b[8m ID,Contact Date,Audio filename',
    'R1,a\x1b[2J@x.com,2026-01-02T09:00:00+00:00,missing.wav',
  ].join('\r\n') + '\r\n')
  return dir
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-cli-ctrl-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('bulk-upload check with escape sequences in the CSV', () => {
  it('prints them escaped in the human output and in error messages', async () => {
    const dir = path.join(root, 'batch')
    await mkdir(dir)
    const evil = 'call\x1b[2J\x1b]0;pwned\x07.wav'
    await writeFile(path.join(dir, 'good.wav'), Buffer.alloc(100))
    await writeFile(path.join(dir, 'calls.csv'), [
      'Contact Reference,Agent ID,Contact Date,Audio filename',
      `R1,a@x.com,2026-01-02T09:00:00+00:00,${evil}`,
      `R2\x1b[31m,b@x.com,not a date\x1b]0;title\x07,good.wav`,
    ].join('\r\n') + '\r\n')
    const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'check', dir], { env: { ...process.env, NO_COLOR: '1' } }, (_err, stdout, stderr) => resolve({ stdout, stderr }))
    })
    const all = r.stdout + r.stderr
    expect(all).toMatch(/\\x1B\[2J|\\x1B\]0;pwned\\x07/)
    expect(all).not.toContain('\x1b')
    expect(all).not.toContain('\x07')
  })

  it('shows a forged recording name, header and agent ID as escapes when the output is a file or a pipe, colours or not', async () => {
    const dir = await forgedBatch('forged-piped')
    for (const env of [{ NO_COLOR: '1' }, { NO_COLOR: '' }, { FORCE_COLOR: '1' }]) {
      const r = await run(['check', dir], { ...env, BULK_UPLOAD_HOME: path.join(root, 'home') })
      const all = r.stdout + r.stderr
      // Nothing moves the cursor, erases, hides or colours: not even the app's own colours in a pipe.
      expect(all, JSON.stringify(env)).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/)
      expect(all).toContain('z\\r\\x1B[40F\\x1B[J\\x1B[32m\\x1B[1mReady: all 2 conversations can be uploaded.\\x1B[0m\\x1B[8m.wav')
      expect(all).toContain('Agent\\x1B[8m ID')
      expect(all).toContain('MISSING_RECORDING')
      expect(all).toMatch(/Not ready/)
    }
  })

  it.skipIf(!hasScript)('on a terminal, writes only the app\'s own colours and keeps the forged ones escaped (none with NO_COLOR)', async () => {
    const dir = await forgedBatch('forged-tty')
    const home = path.join(root, 'home')
    const out = await runOnTerminal(['check', dir], { BULK_UPLOAD_HOME: home, NO_COLOR: '' })
    expect(out).toContain('MISSING_RECORDING')
    // The app's own colour for its "Not ready" verdict reaches the terminal...
    expect(out).toMatch(/\x1b\[31mNot ready/)
    // ...and none of the name's: no cursor-up, erase-below, hidden text or forged green "Ready".
    for (const raw of ['\x1b[40F', '\x1b[J', '\x1b[8m', '\x1b[32m\x1b[1mReady', '\x1b[2J']) expect(out).not.toContain(raw)
    expect(out).toContain('\\x1B[40F')
    // A raw carriage return only ends a line (the terminal's \r\n) or starts the check's own progress line.
    expect(out.replace(/\r\n/g, '\n').replace(/\rChecking\.\.\. \d+% \(\d+ rows\)/g, '').replace(/\r\x1b\[K/g, '')).not.toContain('\r')

    const plain = await runOnTerminal(['check', dir], { BULK_UPLOAD_HOME: home, NO_COLOR: '1' })
    expect(plain).toContain('MISSING_RECORDING')
    expect(plain).not.toMatch(/\x1b\[\d*m/)
  })
})
