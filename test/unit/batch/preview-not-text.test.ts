/** A file that is not text, named .csv, is CSV_NOT_TEXT at preview, not "Windows-1252 · 1 column". */
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { previewCsv } from '../../../src/batch'
import { wavBytes } from '../../fixtures/audio-bytes'
import { tempDir, writeFiles } from './helpers'

describe('previewCsv of a file that is not text', () => {
  it('refuses random bytes, a zip (an .xlsx renamed .csv), a PNG and a WAV with CSV_NOT_TEXT', async () => {
    const dir = await tempDir()
    const zip = Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00', 'latin1'), randomBytes(2000)])
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.from('IHDR'), randomBytes(500)])
    await writeFiles(dir, { 'random.csv': randomBytes(8192), 'book.csv': zip, 'image.csv': png, 'audio.csv': wavBytes(2000) })
    for (const name of ['random.csv', 'book.csv', 'image.csv', 'audio.csv']) {
      await expect(previewCsv(path.join(dir, name)), name).rejects.toMatchObject({ code: 'CSV_NOT_TEXT', message: expect.stringMatching(/save it as CSV/) })
    }
  })

  it('still previews real CSVs: Windows-1252, UTF-16, a stray NUL in a cell, a DOS end-of-file mark', async () => {
    const dir = await tempDir()
    const rows = Array.from({ length: 20 }, (_, i) => `C${i},agent${i}@x.com,2024-01-01T10:00:00Z,c${i}.wav`).join('\r\n')
    await writeFiles(dir, {
      'latin.csv': Buffer.from(`Ref,Agent,Date,File\r\n${rows}\r\nCafé,é@x.com,2024-01-01T10:00:00Z,é.wav\r\n`, 'latin1'),
      'utf16.csv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`Ref,Agent,Date,File\r\n${rows}\r\n`, 'utf16le')]),
      'nul.csv': `Ref,Agent,Date,File\r\n${rows}\r\nX\0,a@x.com,2024-01-01T10:00:00Z,x.wav\r\n\x1a`,
    })
    for (const name of ['latin.csv', 'utf16.csv', 'nul.csv']) {
      const preview = await previewCsv(path.join(dir, name))
      expect(preview.headers, name).toEqual(['Ref', 'Agent', 'Date', 'File'])
    }
  })
})
