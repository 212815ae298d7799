/**
 * `bulk-upload sandbox` in the foreground: with no options it serves the app data folder and
 * accepts the app's own key; options choose the folder, port, mode and authorized keys;
 * Ctrl+C stops it with exit 0; a taken port is a sentence and exit 2.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import SftpClient from 'ssh2-sftp-client'
import { generatePair, loadPrivateKeyForSsh } from '../../../src/keys'
import { runCli, startCli } from '../keys/cli'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bulk-upload-cli-sandbox-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const READY = /known_hosts\s+\S+ \S+ \S+\n/

function field(output: string, name: string): string {
  return new RegExp(`^\\s+${name}\\s+(.+)$`, 'm').exec(output)![1]!.trim()
}

async function upload(port: number, privateKey: string, name: string, expectedHostLine: string): Promise<void> {
  const client = new SftpClient()
  await client.connect({
    host: '127.0.0.1',
    port,
    username: 'sandbox',
    privateKey,
    hostVerifier: (key: Buffer) => expectedHostLine.endsWith(key.toString('base64')),
  } as SftpClient.ConnectOptions)
  await client.put(Buffer.from('hello'), name)
  await client.end()
}

describe('bulk-upload sandbox', () => {
  it('with defaults serves the app data folder and accepts the app key; Ctrl+C stops it', async () => {
    const home = path.join(dir, 'home')
    const run = await startCli(['sandbox', '--port', '0'], home, READY)
    const out = run.output()
    const port = Number(field(out, 'Port'))
    expect(field(out, 'Host')).toBe('127.0.0.1')
    expect(field(out, 'User')).toBe('sandbox')
    expect(field(out, 'Host key')).toMatch(/^SHA256:/)
    expect(field(out, 'Mode')).toMatch(/^s3/)
    await upload(port, await loadPrivateKeyForSsh('default', null, home), 'tried.wav', field(out, 'known_hosts'))
    expect(await readFile(path.join(home, 'sandbox-server', 'tried.wav'), 'utf8')).toBe('hello')
    run.child.kill('SIGINT')
    expect(await run.exited).toBe(0)
  })

  it('takes --root, --mode and --authorized-keys, and keeps its host key between runs', async () => {
    const home = path.join(dir, 'home')
    const pair = generatePair('ed25519')
    const keysFile = path.join(dir, 'authorized_keys')
    await writeFile(keysFile, pair.publicKey + '\n')
    const root = path.join(dir, 'served')
    const args = ['sandbox', '--port', '0', '--mode', 'posix', '--root', root, '--authorized-keys', keysFile]
    const first = await startCli(args, home, READY)
    const fingerprint = field(first.output(), 'Host key')
    expect(field(first.output(), 'Mode')).toMatch(/^posix/)
    await upload(Number(field(first.output(), 'Port')), pair.privateKey, 'own.wav', field(first.output(), 'known_hosts'))
    expect(await readFile(path.join(root, 'own.wav'), 'utf8')).toBe('hello')
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    const second = await startCli(args, home, READY)
    expect(field(second.output(), 'Host key')).toBe(fingerprint)
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  })

  it('explains a taken port and bad options with exit 2, no stack trace', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as { port: number }).port
    try {
      const taken = await runCli(['sandbox', '--port', String(port)], path.join(dir, 'home'))
      expect(taken.code).toBe(2)
      expect(taken.stderr).toMatch(/port is already used/)
      expect(taken.stderr).not.toMatch(/\n\s+at /)
    } finally {
      blocker.close()
    }
    const bad = await runCli(['sandbox', '--mode', 'ftp'], path.join(dir, 'home'))
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/Expected --mode to be posix or s3/)
  })
})
