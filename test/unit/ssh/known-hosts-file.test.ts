/**
 * known_hosts is read with a size bound: a device, a folder, a pipe or an oversized file is
 * refused at once with the file named, never read whole (`/dev/zero` used to be read until
 * Node gave up, 640 MB, on every connection attempt).
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readKnownHostsFile } from '../../../src/ssh/known-hosts'

const LINE = '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGtlc3Rrb3k\n'

describe('readKnownHostsFile', () => {
  it('reads a file whole, and a missing file as empty', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kh-'))
    const file = path.join(dir, 'known_hosts')
    const text = LINE.repeat(5_000) // 300 KB: several reads
    await writeFile(file, text)
    expect(await readKnownHostsFile(file)).toBe(text)
    expect(await readKnownHostsFile(path.join(dir, 'none'))).toBe('')
  })

  it('refuses a file over the bound without reading past it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kh-'))
    const file = path.join(dir, 'known_hosts')
    await writeFile(file, LINE.repeat(100))
    await expect(readKnownHostsFile(file, 1024)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining(`${file} is not a known_hosts file (it holds`) as unknown })
  })

  it('refuses a folder and a device by what they are', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kh-'))
    await mkdir(path.join(dir, 'folder'))
    await expect(readKnownHostsFile(path.join(dir, 'folder'))).rejects.toMatchObject({ message: expect.stringContaining('(it is a folder)') as unknown })
    if (process.platform !== 'win32') {
      await expect(readKnownHostsFile('/dev/zero')).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringMatching(/^\/dev\/zero is not a known_hosts file \(it is a device\): give the path of a known_hosts file/) as unknown })
    }
  })

  it.skipIf(process.platform === 'win32')('refuses a pipe without waiting for a writer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kh-'))
    const fifo = path.join(dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    await expect(readKnownHostsFile(fifo)).rejects.toMatchObject({ message: expect.stringContaining('(it is a pipe)') as unknown })
  })
})
