import { describe, expect, it } from 'vitest'
import { StringTable } from '../../../src/batch/string-table'
import { hashReference, hashUnits } from '../../../src/ledger/ledger-index'

describe('reference hashes from code units', () => {
  it('equal the hash of the string, in one-byte and two-byte tables', () => {
    const refs = ['CR-0000001', '', 'x', 'INC-42', 'Zoë-Ä1', 'ref "quoted", with comma', '通話-7', '😀-emoji']
    const table = new StringTable(16)
    const ids = refs.map((r) => table.intern(r)) // the table switches to two bytes a unit on the first non-Latin-1 reference
    const { chars, start } = table.codeUnits()
    refs.forEach((r, i) => {
      expect([...hashUnits(chars, start[ids[i]!]!, start[ids[i]! + 1]!)], r).toEqual([...hashReference(r)])
    })
  })
})
