/** Temp folders for batch tests: real files, removed after each test. */
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { afterEach } from 'vitest'
import Papa from 'papaparse'

const made: string[] = []

/** A fresh temp folder, deleted after the test. */
export async function tempDir(prefix = 'bu-batch-'): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

/** Writes `files` (relative path → content) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string | Buffer | Uint8Array>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true })
    await writeFile(path.join(dir, rel), content)
  }
}

/** Parses a written CSV back into records (header first). */
export function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text, { delimiter: ',', newline: '\r\n', skipEmptyLines: true }).data
}
