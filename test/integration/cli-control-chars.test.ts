/**
 * `bulk-upload check` on a CSV whose cells and file names carry terminal escape sequences
 * (screen clear, window title, bell): the output shows them escaped, never raw.
 */
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const BIN = fileURLToPath(new URL('../../bin/bulk-upload.js', import.meta.url))
let root: string

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
})
