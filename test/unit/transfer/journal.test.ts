import { appendFile, mkdtemp, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { Journal, JOURNAL_FILE, readJournal } from '../../../src/transfer/journal'

describe('batch journal', () => {
  it('replays what was recorded, later lines winning', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-journal-'))
    const journal = await Journal.open(dir)
    journal.fileFailed('a.wav', 'PERMISSION_DENIED')
    journal.fileDone('a.wav', 10, 1000, 'aa')
    journal.fileDone('b.wav', 20, 2000, 'bb')
    journal.csvStarted('batch.csv', 'batch.csv.part')
    journal.close()
    const state = await readJournal(path.join(dir, JOURNAL_FILE))
    expect([...state.done.keys()]).toEqual(['a.wav', 'b.wav'])
    expect(state.failed.size).toBe(0)
    expect(state.done.get('b.wav')).toEqual({ size: 20, mtimeMs: 2000, sha256: 'bb' })
    expect([...state.csvStarted]).toEqual([['batch.csv', 'batch.csv.part']])
    expect(state.csvDone.size).toBe(0)
  })

  it('skips lines that are JSON but not journal records (null, numbers, wrong shapes) with a warning, not a crash', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-journal-'))
    const first = await Journal.open(dir)
    first.fileDone('a.wav', 10, 1000, 'aa')
    first.close()
    await appendFile(path.join(dir, JOURNAL_FILE), 'null\n42\n"x"\n[]\n{"t":"file-done","name":7}\n{"t":"csv-done","name":"c.csv"}\n{"t":"other"}\n')
    const warnings: string[] = []
    const onWarning = (w: Error) => warnings.push(w.message)
    process.on('warning', onWarning)
    try {
      const second = await Journal.open(dir)
      second.fileDone('b.wav', 20, 2000, 'bb')
      second.close()
      const state = await readJournal(path.join(dir, JOURNAL_FILE))
      expect([...state.done.keys()].sort()).toEqual(['a.wav', 'b.wav'])
      expect(state.csvDone.size).toBe(0)
      await new Promise((r) => setImmediate(r)) // 'warning' events are emitted on the next tick
    } finally {
      process.off('warning', onWarning)
    }
    expect(warnings.length).toBeGreaterThanOrEqual(7)
    expect(warnings[0]).toMatch(/is not a journal record; it was skipped/)
  })

  it('ignores a last line torn by a power cut, and keeps appending after it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-journal-'))
    const first = await Journal.open(dir)
    first.fileDone('a.wav', 10, 1000, 'aa')
    first.close()
    await appendFile(path.join(dir, JOURNAL_FILE), '{"t":"file-done","name":"b.w')
    const second = await Journal.open(dir)
    expect([...second.state.done.keys()]).toEqual(['a.wav'])
    second.fileDone('c.wav', 30, 3000, 'cc')
    second.close()
    // The torn fragment stays a line of its own; the record after it is not lost with it.
    const text = await readFile(path.join(dir, JOURNAL_FILE), 'utf8')
    expect(text.split('\n').filter(Boolean)).toHaveLength(3)
    const state = await readJournal(path.join(dir, JOURNAL_FILE))
    expect([...state.done.keys()].sort()).toEqual(['a.wav', 'c.wav'])
  })

  it('keeps every CSV of a batch delivered over several runs', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-journal-'))
    const journal = await Journal.open(dir)
    journal.csvStarted('one.csv', 'one.csv.part')
    journal.csvDone('one.csv', 7)
    journal.csvStarted('two.csv', 'two.csv.part')
    journal.close()
    const state = await readJournal(path.join(dir, JOURNAL_FILE))
    expect([...state.csvDone]).toEqual([['one.csv', 7]])
    expect([...state.csvStarted.keys()]).toEqual(['one.csv', 'two.csv'])
  })

  it('is empty when the file does not exist', async () => {
    const state = await readJournal(path.join(os.tmpdir(), 'no-such-journal', JOURNAL_FILE))
    expect(state.done.size).toBe(0)
    expect(state.finished).toBeNull()
  })
})
