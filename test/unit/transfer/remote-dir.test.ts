import { describe, expect, it } from 'vitest'
import { checkRemoteDir } from '../../../src/transfer/remote-dir'
import { isAppError } from '../../../src/errors'

describe('checkRemoteDir', () => {
  it('keeps folders inside the login folder, in canonical form', () => {
    expect(checkRemoteDir('')).toBe('')
    expect(checkRemoteDir('.')).toBe('')
    expect(checkRemoteDir('./incoming//2026/')).toBe('incoming/2026')
    expect(checkRemoteDir('a..b/c')).toBe('a..b/c')
  })

  it('refuses absolute paths, `..`, backslashes and control characters with one sentence', () => {
    for (const bad of ['../..', '..', 'a/../../b', 'a/..', '/etc', '//srv', 'C:/x', 'a\\..\\b', 'in\x1b[2Jcoming', 'a\0b']) {
      let caught: unknown
      try {
        checkRemoteDir(bad)
      } catch (err) {
        caught = err
      }
      expect(isAppError(caught, 'BAD_ARGUMENT'), bad).toBe(true)
      expect((caught as Error).message).toMatch(/inside the login folder/)
      expect([...(caught as { details: string }).details].every((c) => c.charCodeAt(0) >= 0x20)).toBe(true)
    }
  })
})
