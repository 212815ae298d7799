/**
 * The logs a person reads (the hosts' log, the unattended run log) carry data: file names and
 * CSV cells. A name with a new line must not forge a log line, and escape sequences must not
 * drive the terminal of whoever runs `tail` on the log.
 */
/* eslint-disable no-control-regex -- the test is about control characters */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { flushLog, log, logFile, setLogHome } from '../../../main/log'
import { appendRunLog, runLogPath } from '../../../src/cli/run-log'

const HOSTILE = 'calls\n2026-12-02T00:00:00.000Z ERROR forged line\x1b]0;owned\x07\x1b[2J\u202Eevil.wav'

let home: string
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'bu-log-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('log files', () => {
  it('the hosts’ log keeps a message on one line and escapes its controls', async () => {
    setLogHome(home)
    log('info', `scan: skipped ${HOSTILE}`)
    await flushLog()
    const lines = (await readFile(logFile(), 'utf8')).split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('calls\\x0A2026-12-02T00:00:00.000Z ERROR forged line\\x1B]0;owned\\x07\\x1B[2J\\u202Eevil.wav')
    expect(lines[0]).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/)
  })

  it('keeps an error’s stack on its own lines, with controls in its message escaped', async () => {
    setLogHome(home)
    log('error', 'upload failed', new Error(`cannot open ${HOSTILE}`))
    await flushLog()
    const text = await readFile(logFile(), 'utf8')
    expect(text).toMatch(/ERROR upload failed\nError: cannot open calls\n2026/)
    expect(text).toMatch(/\n\s+at /)
    expect(text).not.toMatch(/[\x1b\x07\u202e]/)
  })

  it('the unattended run log writes one line per entry, escaped', async () => {
    await appendRunLog(`batch ${HOSTILE} delivered 3 rows`, home)
    const lines = (await readFile(runLogPath(home), 'utf8')).split('\n').filter(Boolean)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('\\x1B[2J')
    expect(lines[0]).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/)
  })
})
