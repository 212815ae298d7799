/* eslint-disable no-control-regex -- these tests are about control characters */
import { describe, expect, it } from 'vitest'
import { ownSequence, terminalSafe } from '../../../src/cli/safe-output'

describe('terminalSafe', () => {
  it('escapes control characters that come from data', () => {
    expect(terminalSafe('a\x1b[2Jb')).toBe('a\\x1B[2Jb')
    expect(terminalSafe('\x1b]0;owned\x07title')).toBe('\\x1B]0;owned\\x07title')
    expect(terminalSafe('nul\0bell\x07del\x7f c1\x9b')).toBe('nul\\x00bell\\x07del\\x7F c1\\x9B')
    expect(terminalSafe('abc\u202Egpj.exe')).toBe('abc\\u202Egpj.exe')
  })

  it('escapes the sequences that look like the CLI\'s own when data carries them: colours, erase, cursor moves, CR', () => {
    const forged = 'z\r\x1b[40F\x1b[J\x1b[32m\x1b[1mReady.\x1b[0m\x1b[8m\x1b[K.wav'
    const shown = 'z\\r\\x1B[40F\\x1B[J\\x1B[32m\\x1B[1mReady.\\x1B[0m\\x1B[8m\\x1B[K.wav'
    expect(terminalSafe(forged)).toBe(shown)
    expect(terminalSafe(forged, { terminal: true })).toBe(shown)
    expect(terminalSafe(`Recording "${forged}" is not named by any row\n`, { terminal: true })).toBe(`Recording "${shown}" is not named by any row\n`)
  })

  it('writes the CLI\'s own sequences to a terminal only, with data between them escaped', () => {
    const own = `${ownSequence('\x1b[31m')}Error:${ownSequence('\x1b[0m')} x\n\ty${ownSequence('\r')}${ownSequence('\x1b[K')}`
    expect(terminalSafe(own, { terminal: true })).toBe('\x1b[31mError:\x1b[0m x\n\ty\r\x1b[K')
    expect(terminalSafe(own)).toBe('Error: x\n\ty')
    expect(terminalSafe(`${ownSequence('\x1b[32m')}a\x1b[8mb${ownSequence('\x1b[0m')}`, { terminal: true })).toBe('\x1b[32ma\\x1B[8mb\x1b[0m')
    expect(terminalSafe('Ünïcode ✓ 日本')).toBe('Ünïcode ✓ 日本')
  })

  it('lets a mark without this process\'s nonce through as the printable text it is', () => {
    const mark = ownSequence('\x1b[31m')
    const guessed = mark.replace(/[0-9a-f]{24}/, '0'.repeat(24))
    expect(guessed).not.toBe(mark)
    expect(terminalSafe(guessed, { terminal: true })).toBe(guessed)
  })

  it('lets no raw sequence through, not even one shaped like the progress lines: those are built from marks now', () => {
    for (const raw of ['\x1b[3F\x1b[J', '\r\x1b[K', '\rChecking... 42% (1200 rows)']) {
      expect(terminalSafe(raw, { terminal: true })).not.toMatch(/[\r\x1b]/)
    }
    const redraw = `${ownSequence('\r')}Checking... 42% (1200 rows)`
    expect(terminalSafe(redraw, { terminal: true })).toBe('\rChecking... 42% (1200 rows)')
    expect(terminalSafe(redraw)).toBe('Checking... 42% (1200 rows)')
  })
})
