/**
 * Runs the `bulk-upload` command as a user does: a child process of `bin/bulk-upload.js`,
 * its output collected, and a way to poll what it has done so far.
 */
import { spawn } from 'node:child_process'
import path from 'node:path'

const CLI = path.resolve('bin/bulk-upload.js')

export interface CliRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the CLI; `onSpawn` gets its PID (to signal it) and a view of its output so far. */
export function runCli(args: string[], env: NodeJS.ProcessEnv, onSpawn?: (pid: number, output: () => string) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
    if (child.pid) onSpawn?.(child.pid, () => stdout + stderr)
  })
}

/** Polls an observable condition (not a fixed sleep): resolves once it holds. */
export async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
