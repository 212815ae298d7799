import path from 'node:path'
import { symlink } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { scanPaths, summarizeScan } from '../../../src/batch'
import { tempDir, writeFiles } from './helpers'

describe('scanPaths', () => {
  it('finds CSVs and recordings recursively, by extension in any case, and skips hidden and system files', async () => {
    const dir = await tempDir()
    await writeFiles(dir, {
      'calls.csv': 'a',
      'a.wav': 'x', 'b.MP3': 'xy', 'sub/c.Ogg': 'x', 'sub/deep/d.opus': 'x', 'e.m4a': 'x', 'f.aac': 'x', 'g.flac': 'x', 'h.wma': 'x', 'i.amr': 'x', 'j.gsm': 'x',
      'notes.txt': 'x', '.hidden.wav': 'x', '.git/x.wav': 'x', 'Thumbs.db': 'x', 'desktop.ini': 'x', '__MACOSX/k.wav': 'x', '~$calls.csv': 'x',
    })
    const scan = await scanPaths([dir])
    expect(scan.roots).toEqual([dir])
    expect(scan.csvFiles.map((f) => f.relPath)).toEqual(['calls.csv'])
    expect(scan.recordings.map((f) => f.relPath).sort()).toEqual(['a.wav', 'b.MP3', 'e.m4a', 'f.aac', 'g.flac', 'h.wma', 'i.amr', 'j.gsm', 'sub/c.Ogg', 'sub/deep/d.opus'])
    expect(scan.recordings.find((r) => r.relPath === 'b.MP3')).toMatchObject({ ext: 'mp3', size: 2, root: dir, path: path.join(dir, 'b.MP3') })
    expect(scan.skipped).toBe(6)
    expect(summarizeScan(scan)).toMatchObject({ recordingCount: 10, recordingBytes: 11, byExtension: { wav: 1, mp3: 1, ogg: 1 }, skipped: 6 })
  })

  it('follows symlinks that stay inside the folder and refuses those that leave it', async () => {
    const outside = await tempDir()
    const dir = await tempDir()
    await writeFiles(outside, { 'secret.wav': 'x', 'more/other.wav': 'x' })
    await writeFiles(dir, { 'real/a.wav': 'x' })
    await symlink(path.join(dir, 'real/a.wav'), path.join(dir, 'inside-link.wav'))
    await symlink(path.join(dir, 'real'), path.join(dir, 'inside-dir'))
    await symlink(path.join(outside, 'secret.wav'), path.join(dir, 'out-link.wav'))
    await symlink(path.join(outside, 'more'), path.join(dir, 'out-dir'))
    await symlink(path.join(dir, 'nowhere.wav'), path.join(dir, 'dangling.wav'))
    const scan = await scanPaths([dir])
    // The linked folder is the same folder as real/: its files are listed once, under real/.
    expect(scan.recordings.map((r) => r.relPath).sort()).toEqual(['inside-link.wav', 'real/a.wav'])
    expect(scan.unsafeLinks.map((l) => l.relPath).sort()).toEqual(['out-dir', 'out-link.wav'])
    expect(scan.skipped).toBe(3)
  })

  it('takes dropped files with their folder as root, once each', async () => {
    const dir = await tempDir()
    await writeFiles(dir, { 'a.wav': 'x', 'b.wav': 'x', 'calls.csv': 'x' })
    const scan = await scanPaths([path.join(dir, 'a.wav'), path.join(dir, 'calls.csv'), path.join(dir, 'a.wav')])
    expect(scan.roots).toEqual([dir])
    expect(scan.recordings.map((r) => r.relPath)).toEqual(['a.wav'])
    expect(scan.csvFiles.map((r) => r.relPath)).toEqual(['calls.csv'])
  })

  it('lists a big folder (stat on a worker thread) the same way, in name order, with sizes and times', async () => {
    const dir = await tempDir()
    const files: Record<string, string> = {}
    for (let i = 0; i < 700; i++) files[`big/r${String(i).padStart(4, '0')}.wav`] = 'x'.repeat(i % 7)
    files['big/notes.txt'] = 'x'
    files['big/list.csv'] = 'a,b'
    await writeFiles(dir, files)
    const scan = await scanPaths([dir])
    expect(scan.recordings).toHaveLength(700)
    expect(scan.recordings[0]).toMatchObject({ relPath: 'big/r0000.wav', path: path.join(dir, 'big/r0000.wav'), size: 0, ext: 'wav' })
    expect(scan.recordings[699]).toMatchObject({ relPath: 'big/r0699.wav', size: 699 % 7 })
    expect(scan.recordings[5]!.mtimeMs).toBeGreaterThan(Date.now() - 600_000)
    expect(scan.csvFiles.map((f) => f.relPath)).toEqual(['big/list.csv'])
  })

  it('explains a dropped path that does not exist', async () => {
    await expect(scanPaths(['/no/such/folder'])).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' })
    await expect(scanPaths([])).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
  })

  it('stops when aborted', async () => {
    const dir = await tempDir()
    await writeFiles(dir, { 'a.wav': 'x' })
    await expect(scanPaths([dir], { signal: AbortSignal.abort() })).rejects.toThrow()
  })
})
