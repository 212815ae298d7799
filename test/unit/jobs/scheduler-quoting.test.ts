/**
 * Scheduler entries on ordinary paths (issue 23, item 5): a home folder with a space, `%`, `&`,
 * `$` and quotes. Each entry is read back the way its scheduler reads it: the cron line split
 * as cron does (`%` ends the command unless `\%`) and run by /bin/sh against a stand-in launcher
 * that records what it got; the systemd units checked by systemd-analyze verify where it is
 * installed and read back by systemd's quoting rules; the schtasks line read as cmd.exe, then
 * schtasks.exe, then the task's own cmd /c read it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile, execFileSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { cronLine, scheduleFor, schtasksCommand, systemdUnits } from '../../../src/jobs/schedulers'

let root: string
/** A folder name with everything that broke an entry: space, %, specifier-like %o, &, $, quotes. */
const AWKWARD = `Q&A 100% %o $HOME "it's"`
let launcher: string
let home: string
let record: string

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'bu-sched-'))
  const bin = path.join(root, AWKWARD, 'bin')
  home = path.join(root, AWKWARD, 'home')
  await mkdir(bin, { recursive: true })
  await mkdir(home)
  record = path.join(root, 'record.txt')
  launcher = path.join(bin, 'bulk-upload')
  // The stand-in launcher: one line per argument, then the home it was given.
  await writeFile(launcher, `#!/bin/sh\nfor a in "$@"; do printf 'arg=%s\\n' "$a"; done > '${record}'\nprintf 'home=%s\\n' "$BULK_UPLOAD_HOME" >> '${record}'\n`)
  await chmod(launcher, 0o755)
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const context = () => ({ name: 'nightly', node: '/usr/bin/node', script: '/x/bulk-upload.js', launcher, home, at: '02:30' })

/** What cron hands to /bin/sh: `\%` is a `%`, and a bare `%` ends the command (cronie's do_command). */
function cronCommand(field: string): string {
  let out = ''
  let escaped = false
  for (const ch of field) {
    if (escaped) {
      if (ch !== '%') out += '\\'
    } else if (ch === '%') {
      break
    }
    escaped = ch === '\\'
    if (!escaped) out += ch
  }
  return out
}

describe('cron', () => {
  it('runs the launcher with the job\'s words and home, read as cron and /bin/sh read it', async () => {
    const line = cronLine(context()).split('\n')[1]!
    const m = /^(\S+) (\S+) (\S+) (\S+) (\S+) (.*)$/.exec(line)!
    expect(m.slice(1, 6)).toEqual(['30', '2', '*', '*', '*'])
    await new Promise<void>((resolve, reject) => execFile('/bin/sh', ['-c', cronCommand(m[6]!)], (err) => (err ? reject(err) : resolve())))
    expect(await readFile(record, 'utf8')).toBe(`arg=job\narg=run\narg=nightly\nhome=${home}\n`)
  })
})

/** systemd's word splitting (extract_first_word with quotes and C escapes), then specifiers and, where `vars`, `$$`. */
function systemdWords(value: string, vars: (i: number) => boolean): string[] {
  const words: string[] = []
  let at = 0
  while (at < value.length) {
    while (value[at] === ' ') at++
    if (at >= value.length) break
    let word = ''
    let quote: string | null = null
    for (; at < value.length; at++) {
      const ch = value[at]!
      if (ch === '\\') word += value[++at]
      else if (quote !== null && ch === quote) quote = null
      else if (quote === null && (ch === '"' || ch === "'")) quote = ch
      else if (quote === null && ch === ' ') break
      else word += ch
    }
    expect(quote, value).toBeNull()
    words.push(word)
  }
  return words.map((w, i) => {
    expect(w.replace(/%%/g, ''), `a specifier left in ${w}`).not.toContain('%')
    const unspecified = w.replace(/%%/g, '%')
    return vars(i) ? unspecified.replace(/\$\$/g, '$') : unspecified
  })
}

const hasAnalyze = (() => {
  try {
    execFileSync('systemd-analyze', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

describe('systemd', () => {
  it('quotes ExecStart and Environment so systemd reads back the launcher, the words and the home', () => {
    const units = systemdUnits(context())
    const exec = /^ExecStart=(.*)$/m.exec(units)![1]!
    // Variables expand in arguments only; the executable is taken as written.
    expect(systemdWords(exec, (i) => i > 0)).toEqual(['/usr/bin/env', launcher, 'job', 'run', 'nightly'])
    const env = /^Environment=(.*)$/m.exec(units)![1]!
    expect(systemdWords(env, () => false)).toEqual([`BULK_UPLOAD_HOME=${home}`])
    // A plain path stays a plain executable.
    const plain = systemdUnits({ ...context(), launcher: '/opt/Bulk Upload 100%/bin/bulk-upload', home: null })
    expect(/^ExecStart=(.*)$/m.exec(plain)![1]).toBe('"/opt/Bulk Upload 100%%/bin/bulk-upload" job run nightly')
  })

  it.skipIf(!hasAnalyze)('passes systemd-analyze verify, which finds the launcher the unit names', async () => {
    const units = systemdUnits(context())
    const service = units.slice(0, units.indexOf('# ~/.config/systemd/user/bulk-upload-nightly.timer'))
    const file = path.join(root, 'bulk-upload-nightly.service')
    await writeFile(file, service)
    const verified = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('systemd-analyze', ['verify', '--man=no', file], (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }))
    })
    expect(verified.stderr).not.toMatch(/special characters|not executable|No such file|bad unit file/i)
    expect(verified.stderr).not.toMatch(/bulk-upload-nightly\.service:\d+/)
  })
})

/** cmd.exe on a pasted line: `^x` is x outside quotes; `&`, `|`, `<`, `>` outside quotes split it; every `"` toggles. */
function cmdLine(line: string): string {
  let quoted = false
  let out = ''
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '^') {
      out += line[++i]
      continue
    } else if (!quoted && '&|<>'.includes(ch)) throw new Error(`cmd.exe would split the line at ${i}: ${line}`)
    out += ch
  }
  return out
}

/** A program's arguments as the Microsoft C runtime reads its command line (schtasks.exe, and the task's command). */
function msvcrtArgs(line: string): string[] {
  const args: string[] = []
  let at = 0
  while (at < line.length) {
    while (line[at] === ' ') at++
    if (at >= line.length) break
    let arg = ''
    let quoted = false
    while (at < line.length) {
      const ch = line[at]!
      if (ch === '\\') {
        let n = 0
        while (line[at] === '\\') {
          n++
          at++
        }
        arg += '\\'.repeat(line[at] === '"' ? n >> 1 : n)
        // An odd count escapes the quote that follows: a literal quote, no toggle.
        if (line[at] === '"' && n % 2 === 1) {
          arg += '"'
          at++
        }
        continue
      }
      if (ch === '"') quoted = !quoted
      else if (!quoted && ch === ' ') break
      else arg += ch
      at++
    }
    args.push(arg)
  }
  return args
}

describe('Task Scheduler', () => {
  const win = { name: 'nightly', node: 'C:\\node\\node.exe', script: 'C:\\x\\bulk-upload.js', launcher: 'C:\\Users\\Q&A (Sales)\\Bulk Upload\\resources\\bin\\bulk-upload.cmd', home: 'C:\\Users\\Q&A (Sales)\\data', at: '02:00' }

  it('reaches schtasks whole through cmd.exe, and the task sets the home and runs the launcher', () => {
    const line = schtasksCommand(win)
    const args = msvcrtArgs(cmdLine(line))
    expect(args.slice(0, 8)).toEqual(['schtasks', '/Create', '/SC', 'DAILY', '/ST', '02:00', '/TN', 'bulk-upload nightly'])
    expect(args[8]).toBe('/TR')
    const task = args[9]!
    expect(args).toHaveLength(10)
    // Task Scheduler starts `cmd /c "…"`; cmd strips the outer quotes and runs the rest.
    expect(task.startsWith('cmd /c "') && task.endsWith('"')).toBe(true)
    const inner = task.slice('cmd /c "'.length, -1)
    const [set, run] = inner.split('&& ')
    expect(set).toBe(`set "BULK_UPLOAD_HOME=${win.home}"`)
    expect(msvcrtArgs(run!)).toEqual([win.launcher, 'job', 'run', 'nightly'])
    // Inside the task's cmd, the & of the paths sits inside quotes.
    expect(() => cmdLine(inner.replace('&& ', ' '))).not.toThrow()
  })

  it('without a home, /TR is the launcher and the job\'s words', () => {
    const args = msvcrtArgs(cmdLine(schtasksCommand({ ...win, home: null })))
    expect(msvcrtArgs(args[9]!)).toEqual([win.launcher, 'job', 'run', 'nightly'])
  })

  it('refuses a % or a quote with a sentence, and the desktop\'s entry says why there is none', () => {
    expect(() => schtasksCommand({ ...win, home: 'C:\\100%\\data' })).toThrow(expect.objectContaining({ details: expect.stringMatching(/percent sign, which a Task Scheduler entry cannot carry/) }))
    expect(scheduleFor('win32', { ...win, home: 'C:\\100%\\data' })).toEqual({ scheduler: 'schtasks', text: expect.stringMatching(/^REM The path C:\\100%\\data has a percent sign/) })
  })
})

describe('every scheduler', () => {
  it('refuses a new line in a path instead of ending the entry there', () => {
    const c = { ...context(), home: '/home/qa/a\nb' }
    for (const make of [cronLine, systemdUnits]) expect(() => make(c)).toThrow(expect.objectContaining({ details: expect.stringMatching(/control character/) }))
  })
})
