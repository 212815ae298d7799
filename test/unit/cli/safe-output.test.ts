import { describe, expect, it } from 'vitest'
import { terminalSafe } from '../../../src/cli/safe-output'

describe('terminalSafe', () => {
  it('escapes control characters that come from data', () => {
    expect(terminalSafe('a\x1b[2Jb')).toBe('a\\x1B[2Jb')
    expect(terminalSafe('\x1b]0;owned\x07title')).toBe('\\x1B]0;owned\\x07title')
    expect(terminalSafe('nul\0bell\x07del\x7f c1\x9b')).toBe('nul\\x00bell\\x07del\\x7F c1\\x9B')
    expect(terminalSafe('abc\u202Egpj.exe')).toBe('abc\\u202Egpj.exe')
  })

  it('keeps the CLI\'s own colours, progress cursor moves, tabs, new lines and carriage returns', () => {
    const own = '\x1b[31mError:\x1b[0m x\n\ty\r\x1b[K\x1b[3F\x1b[J'
    expect(terminalSafe(own)).toBe(own)
    expect(terminalSafe('Ünïcode ✓ 日本')).toBe('Ünïcode ✓ 日本')
  })
})
