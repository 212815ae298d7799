import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tryLock, waitForLock, type HeldLock } from '../../src/file-lock'

const FILE_LOCK = path.resolve('src/file-lock.ts')

const children: ChildProcess[] = []
const held: HeldLock[] = []
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const l of held.splice(0)) l.release()
})

async function lockFile(): Promise<string> {
  return path.join(await mkdtemp(path.join(os.tmpdir(), 'file-lock-')), 'sub', 'commit.lock')
}

function take(file: string): HeldLock {
  const got = tryLock(file)
  if (!got.lock) throw new Error('expected the lock to be free')
  held.push(got.lock)
  return got.lock
}

/** Another process (node itself, not a wrapper: its PID is the holder's) that takes the lock and says "held" once it has it, then waits to be killed. */
async function holderProcess(file: string): Promise<ChildProcess> {
  const script = `import { tryLock } from ${JSON.stringify(FILE_LOCK)}; const got = tryLock(${JSON.stringify(file)}); console.log(got.lock ? 'held' : 'busy'); setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  children.push(child)
  const first = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(String(d).trim()))
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)))
  })
  expect(first).toBe('held')
  return child
}

describe('file lock', () => {
  it('one holder at a time within a process; free again once released', async () => {
    const file = await lockFile()
    const first = take(file)
    const second = tryLock(file)
    expect(second.lock).toBeNull()
    expect(second.lock === null && second.holder?.pid).toBe(process.pid)
    first.release()
    first.release() // twice is harmless
    expect(take(file)).toBeTruthy()
  })

  it('is held by another process until that process is killed, then taken at once', async () => {
    const file = await lockFile()
    const child = await holderProcess(file)
    const busy = tryLock(file)
    expect(busy.lock).toBeNull()
    expect(busy.lock === null && busy.holder?.pid).toBe(child.pid)
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
    expect(take(file)).toBeTruthy()
  })

  it('a note naming a live unrelated process (PID 1) does not hold the lock', async () => {
    const file = await lockFile()
    take(file).release()
    await writeFile(`${file}.holder`, JSON.stringify({ pid: 1, since: '2026-01-01T00:00:00Z' }))
    expect(take(file)).toBeTruthy()
  })

  it('waitForLock waits while it is held and takes it when released; an abort stops the wait', async () => {
    const file = await lockFile()
    const first = take(file)
    let waiting = false
    const second = waitForLock(file, { onWait: () => (waiting = true) })
    expect(waiting).toBe(true) // told at once, synchronously, that it is waiting
    first.release()
    held.push(await second)

    const abort = new AbortController()
    const third = waitForLock(file, { signal: abort.signal, onWait: () => abort.abort() })
    await expect(third).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
