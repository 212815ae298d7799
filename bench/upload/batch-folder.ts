/**
 * The batch folder every upload tool is given, as a QA manager has it: `conversations.csv` and
 * the recordings it names, side by side at the top of the folder (so `sftp put *`, `lftp
 * mirror -R` and `rclone copy` send the same files the app does). Each recording is a valid
 * PCM WAV of exactly the set's size whose samples are random bytes: the app's check accepts
 * it, no two files are alike (a sha256 sample on the server proves the right bytes landed),
 * and nothing on the way can shrink it. Made once per set under the bench's work folder.
 */
import { randomFillSync } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'

export interface DataSet {
  /** As the table names it: "2,000 x 128 KiB". */
  name: string
  count: number
  size: number
}

export const CSV_NAME = 'conversations.csv'
const MiB = 2 ** 20

export const recordingName = (i: number): string => `rec-${String(i + 1).padStart(5, '0')}.wav`

/** A 44-byte PCM WAV header (8 kHz, 16-bit mono) for a file of `size` bytes. */
function wavHeader(size: number): Buffer {
  const h = Buffer.alloc(44)
  h.write('RIFF', 0, 'ascii')
  h.writeUInt32LE(size - 8, 4)
  h.write('WAVE', 8, 'ascii')
  h.write('fmt ', 12, 'ascii')
  h.writeUInt32LE(16, 16)
  h.writeUInt16LE(1, 20) // PCM
  h.writeUInt16LE(1, 22) // mono
  h.writeUInt32LE(8000, 24)
  h.writeUInt32LE(16000, 28)
  h.writeUInt16LE(2, 32)
  h.writeUInt16LE(16, 34)
  h.write('data', 36, 'ascii')
  h.writeUInt32LE(size - 44, 40)
  return h
}

/** One CSV row per recording, in the columns the app maps without being told. */
function csvFor(set: DataSet): string {
  const lines = ['Call ID,Agent Email,Start Time,Recording']
  const base = Date.UTC(2024, 0, 1, 8, 0, 0)
  for (let i = 0; i < set.count; i++) {
    const when = new Date(base + i * 60_000).toISOString().replace('.000Z', '+00:00')
    lines.push(`CR-${String(i + 1).padStart(7, '0')},agent${i % 50}@example.com,${when},${recordingName(i)}`)
  }
  return lines.join('\r\n') + '\r\n'
}

/** Makes (or reuses) the batch folder of `set` under `root`; returns its path. */
export async function makeBatchFolder(root: string, set: DataSet): Promise<string> {
  const dir = path.join(root, `batch-${set.count}x${set.size}`)
  const marker = path.join(dir, '..', `.batch-${set.count}x${set.size}.done`)
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === JSON.stringify(set)) return dir
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const block = Buffer.alloc(Math.min(set.size, 8 * MiB))
  for (let i = 0; i < set.count; i++) {
    const fh = await open(path.join(dir, recordingName(i)), 'w')
    try {
      await fh.write(wavHeader(set.size))
      for (let written = 44; written < set.size; written += block.length) {
        randomFillSync(block)
        await fh.write(block, 0, Math.min(block.length, set.size - written))
      }
    } finally {
      await fh.close()
    }
  }
  await writeFile(path.join(dir, CSV_NAME), csvFor(set))
  await writeFile(marker, JSON.stringify(set))
  return dir
}

/** The recordings of a batch folder (every file but the CSV), sorted. */
export async function recordingsIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n !== CSV_NAME).sort()
}
