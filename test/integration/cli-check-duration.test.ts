/**
 * DURATION_MISMATCH (issue 12): the user maps an optional duration column with
 * `--map duration=COLUMN`, and `check` compares each row's stated duration with its
 * recording's (sox-made WAVs of known length). Only a difference of more than 2 s and more
 * than 5% is flagged: rounding and ringing time are not.
 */
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './upload/cli'

let dir: string
/** Per row: the recording's seconds and what the CSV states. */
const ROWS: Array<{ seconds: number; stated: string }> = [
  { seconds: 10, stated: '10' }, // 1: equal
  { seconds: 30, stated: '0:00:31' }, // 2: 1 s off
  { seconds: 60, stated: '45' }, // 3: 15 s and 25% off: flagged
  { seconds: 100, stated: '1:44' }, // 4: 4 s but only 4% off
  { seconds: 3, stated: '00:09' }, // 5: 6 s and 200% off: flagged
  { seconds: 5, stated: '' }, // 6: nothing stated
]

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-duration-'))
  const lines = ['Call ID,Agent,Start,File,Talk Time']
  for (const [i, r] of ROWS.entries()) {
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', path.join(dir, `c${i + 1}.wav`), 'synth', String(r.seconds), 'sine', '440'])
    lines.push(`C${i + 1},a@example.com,2024-05-03T09:27:23+00:00,c${i + 1}.wav,${r.stated}`)
  }
  await writeFile(path.join(dir, 'calls.csv'), lines.join('\n') + '\n')
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const MAP = ['--map', 'contactReference=Call ID', '--map', 'agentId=Agent', '--map', 'contactDate=Start', '--map', 'audioFilename=File']

describe('check with a mapped duration column', () => {
  it('flags the rows whose stated duration differs from the recording by more than 2 s and 5%, and sends them', async () => {
    const r = await runCli(['check', dir, ...MAP, '--map', 'duration=Talk Time', '--json'], {})
    expect(r.code, r.stderr).toBe(0)
    const json = JSON.parse(r.stdout)
    const flagged = json.issues.filter((i: { code: string }) => i.code === 'DURATION_MISMATCH')
    expect(flagged.map((i: { row: number; file: string; severity: string }) => [i.row, i.file, i.severity])).toEqual([[3, 'c3.wav', 'warning'], [5, 'c5.wav', 'warning']])
    expect(flagged[0].message).toContain('lasted 0:45 (column "Talk Time")')
    expect(flagged[0].message).toContain('lasts 1:00')
    expect(json.eligible).toBe(ROWS.length)
    expect(json.mapping.duration).toBe('Talk Time')
  })

  it('checks nothing when no duration column is mapped', async () => {
    const json = JSON.parse((await runCli(['check', dir, ...MAP, '--json'], {})).stdout)
    expect(json.counts.DURATION_MISMATCH).toBeUndefined()
  })

  it('names a mapped duration column the CSV does not have', async () => {
    const r = await runCli(['check', dir, ...MAP, '--map', 'duration=Length', '--json'], {})
    expect(r.code).toBe(1)
    const issue = JSON.parse(r.stdout).issues.find((i: { code: string }) => i.code === 'MAPPING_COLUMN_NOT_FOUND')
    expect(issue.message).toContain('"Length" mapped to Duration')
  })
})
