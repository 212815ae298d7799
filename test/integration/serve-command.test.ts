/**
 * `bulk-upload serve` as a user starts it: the usage exit code for a bad or taken port, the
 * sentence saying how to build when there is no renderer build, and a printed address whose
 * one-time code opens one session while the command keeps serving with stdin closed (CI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import http from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-serve-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const codeOf = (address: string): string => new URL(address).hash.replace(/^#code=/, '')

describe('bulk-upload serve (the command)', () => {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')

  function serve(args: string[]): { output: () => string; exited: Promise<number | null>; stop: () => void; line: (re: RegExp) => Promise<string> } {
    const child = spawn(process.execPath, [path.join(repo, 'bin', 'bulk-upload.js'), 'serve', '--no-open', ...args], {
      cwd: repo,
      env: { ...process.env, BULK_UPLOAD_HOME: path.join(dir, 'serve-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (out += c.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    return {
      output: () => out,
      exited,
      stop: () => child.kill('SIGTERM'),
      line: async (re) => {
        await expect.poll(() => re.test(out), { timeout: 30_000 }).toBe(true)
        return out.match(re)![0]
      },
    }
  }

  it('refuses a bad port with the usage exit code', async () => {
    const run = serve(['--port', '70000'])
    expect(await run.exited).toBe(2)
    expect(run.output()).toContain('Expected `--port` to be an integer from 1 to 65535, got `70000`')
  })

  it('says the port is taken, with the usage exit code', async () => {
    const taken = http.createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    try {
      const run = serve(['--port', String(port)])
      expect(await run.exited).toBe(2)
      const built = existsSync(path.join(repo, 'build', 'renderer', 'index.html'))
      expect(run.output()).toMatch(built ? /That port is already used by another program/ : /npx vite build/)
    } finally {
      await new Promise((resolve) => taken.close(resolve))
    }
  })

  it('prints an address whose code opens one session, and keeps serving with stdin closed (CI); says how to build when there is no build', async () => {
    const run = serve([])
    if (!existsSync(path.join(repo, 'build', 'renderer', 'index.html'))) {
      expect(await run.exited).toBe(2)
      expect(run.output()).toMatch(/npx vite build/)
      return
    }
    const url = await run.line(/http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{43}/)
    const origin = new URL(url).origin
    const post = (code: string) => fetch(`${origin}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: origin }, body: JSON.stringify({ code }) })
    expect((await fetch(url)).status).toBe(200)
    expect((await post(codeOf(url))).status).toBe(200)
    expect((await post(codeOf(url))).status).toBe(403)
    run.stop()
    expect(await run.exited).toBe(0)
  })
})

