/** Runs the real `bulk-upload` command (bin/bulk-upload.js) for CLI tests. */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../../../bin/bulk-upload.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs the CLI to completion with `BULK_UPLOAD_HOME=home` and extra environment. */
export function runCli(args: string[], home: string, env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, BULK_UPLOAD_HOME: home, NO_COLOR: '1', ...env } }, (err, stdout, stderr) => {
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** Starts a long-running CLI command and resolves once its stdout matches `ready`. */
export function startCli(args: string[], home: string, ready: RegExp): Promise<{ child: ChildProcess; output: () => string; exited: Promise<number> }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, BULK_UPLOAD_HOME: home, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)))
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (ready.test(out)) resolve({ child, output: () => out, exited })
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString()
    })
    void exited.then((code) => reject(new Error(`exited ${code} before ready:\n${out}\n${err}`)))
  })
}
