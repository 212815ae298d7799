import { describe, expect, it } from 'vitest'
import { checkRecordingName } from '../../../src/batch'

describe('checkRecordingName', () => {
  it.each([
    ['call.wav', 'call.wav'],
    ['  call.wav ', 'call.wav'],
    ['sub/call.wav', 'sub/call.wav'],
    ['sub\\call.wav', 'sub/call.wav'],
    ['./sub//call.wav', 'sub/call.wav'],
    ['a/../call.wav', 'call.wav'],
    ['a\\b\\..\\call.wav', 'a/call.wav'],
  ])('accepts %j as %j', (input, rel) => {
    expect(checkRecordingName(input)).toEqual({ ok: true, relPath: rel, baseName: rel.split('/').pop() })
  })

  it.each([
    ['../x.wav', '..'],
    ['..\\..\\x.wav', '..'],
    ['a/../../x.wav', '..'],
    ['a\\..\\..\\x.wav', '..'],
    ['/etc/x.wav', 'absolute'],
    ['\\x.wav', 'absolute'],
    ['C:\\calls\\x.wav', 'drive letter'],
    ['c:x.wav', 'drive letter'],
    ['D:/calls/x.wav', 'drive letter'],
    ['\\\\server\\share\\x.wav', 'network'],
    ['\\\\?\\C:\\x.wav', 'network'],
    ['//server/share/x.wav', 'network'],
    ['~/x.wav', 'home'],
    ['file:///etc/x.wav', 'URL'],
    ['x.wav\u0000.txt', 'control'],
    ['a/.. /x.wav', '..'],
    ['x.wav:stream', 'colon'],
    ['   ', 'empty'],
  ])('refuses %j (%s)', (input, why) => {
    const r = checkRecordingName(input)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.reason).toContain(why)
  })
})
