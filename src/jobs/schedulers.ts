/**
 * What `job show NAME --systemd|--cron|--schtasks` prints: the scheduler entries that run a
 * saved job nightly, filled in with this computer's node, this install's command and the
 * app home, so they can be pasted as they are.
 */
import type { JobSchedule } from '../api'
import { cliCommandWords } from '../cli-launcher'
import { AppError } from '../errors'

export interface SchedulerContext {
  name: string
  /** The node binary and the bulk-upload script, absolute. */
  node: string
  script: string
  /** The installed app's `bulk-upload` launcher, which replaces node and script (src/cli-launcher.ts). */
  launcher?: string | null
  /** BULK_UPLOAD_HOME when set (the job and its ledger live there). */
  home: string | null
  /** Local time of the nightly run. @default '02:00' */
  at?: string
}

/**
 * Each scheduler reads its entry by rules of its own, and the paths it names are ordinary
 * paths: a home folder with a space, `%`, `&`, `$` or a quote. Words are quoted per target:
 *
 * - cron: the command goes to /bin/sh, so words are single-quoted for the shell; first cron
 *   turns every `%` into a new line (the rest becomes stdin) unless written `\%`.
 * - systemd: ExecStart= and Environment= split on spaces outside double quotes, read C escapes
 *   (`\\`, `\"`), expand specifiers (`%h`, `%o`: a literal `%` is `%%`) and, in ExecStart's
 *   arguments, variables (`$$` is a literal `$`). An executable path with a quote, backslash
 *   or `$` is refused by systemd itself, so such a path is handed to /usr/bin/env instead.
 * - Task Scheduler: the line is pasted into cmd.exe, which splits on `&`, `|`, `<`, `>` outside
 *   its quotes (it toggles on every `"`, escaped or not) unless written `^&`; schtasks.exe then
 *   reads `\"` as a quote inside /TR; the task's own cmd /c reads `set "NAME=value"` whole.
 *   `%` (cmd expands it, and cannot be told not to on a command line) and `"` (no Windows path
 *   holds one) are refused with a sentence.
 *
 * Control characters are refused everywhere: no scheduler keeps a new line inside a word.
 */

/** Refuses what no scheduler entry can carry (a new line would end the entry). */
function checkWord(word: string, scheduler: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(word)) {
    throw new AppError('BAD_ARGUMENT', `The path ${JSON.stringify(word)} has a control character (such as a new line) that a ${scheduler} entry cannot hold. Use a folder whose name has none.`)
  }
  return word
}

/** A word for /bin/sh: as is when plain, else single-quoted. */
const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
/** Cron's own escape, applied to the whole command after shell quoting: `%` ends the command unless `\%`. */
const cronEscape = (command: string) => command.replace(/%/g, '\\%')

/** A double-quoted systemd word: C escapes for `\` and `"`, `%%` for a `%`, and `$$` where variables expand. */
function systemdQuoted(s: string, variables: boolean): string {
  let body = s.replace(/[\\"]/g, '\\$&').replace(/%/g, '%%')
  if (variables) body = body.replace(/\$/g, '$$$$')
  return `"${body}"`
}
/** An argument of ExecStart (variables expand there). */
const systemdArg = (s: string) => (/^[\w@+=:,./-]+$/.test(s) ? s : systemdQuoted(checkWord(s, 'systemd'), true))
/** The executable of ExecStart: systemd expands no variable in it and refuses quotes, backslashes and `$` in its name. */
function systemdCommand(words: string[]): string {
  const [exe, ...args] = words.map((w) => checkWord(w, 'systemd'))
  if (/['"\\$]/.test(exe!)) return ['/usr/bin/env', exe!, ...args].map(systemdArg).join(' ')
  return [/^[\w@+=:,./-]+$/.test(exe!) ? exe! : systemdQuoted(exe!, false), ...args.map(systemdArg)].join(' ')
}

/** Refuses what a Task Scheduler entry cannot carry through cmd.exe. */
function checkWindowsWord(word: string): string {
  checkWord(word, 'Task Scheduler')
  if (/["%]/.test(word)) {
    throw new AppError('BAD_ARGUMENT', `The path ${word} has a ${word.includes('"') ? 'double quote' : 'percent sign'}, which a Task Scheduler entry cannot carry through cmd.exe. Use a folder whose name has none.`)
  }
  // Backslashes just before a quote are read as escapes by schtasks.exe: doubled, they stay.
  return word.replace(/\\+$/, (m) => m + m)
}

/**
 * The line as cmd.exe must see it to pass `line` on unchanged: `^` before each of `&|<>^()`
 * that falls outside cmd's quotes (cmd toggles its quote state on every `"`, even `\"`).
 */
function cmdEscape(line: string): string {
  let quoted = false
  let out = ''
  for (const ch of line) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && '&|<>^()'.includes(ch)) out += '^'
    out += ch
  }
  return out
}

/** The command that starts bulk-upload on this computer, each word quoted for the scheduler. */
function commandPath(c: SchedulerContext, quote: (word: string) => string): string {
  return cliCommandWords(c).map(quote).join(' ')
}

export function systemdUnits(c: SchedulerContext): string {
  const at = c.at ?? '02:00'
  return [
    `# ~/.config/systemd/user/bulk-upload-${c.name}.service`,
    '[Unit]',
    `Description=bulk-upload job ${c.name}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    // Environment= expands specifiers but no variable: `%%` for `%`, `$` as it is.
    ...(c.home ? [`Environment=${systemdQuoted(`BULK_UPLOAD_HOME=${checkWord(c.home, 'systemd')}`, false)}`] : []),
    `ExecStart=${systemdCommand(cliCommandWords(c))} job run ${c.name}`,
    '',
    `# ~/.config/systemd/user/bulk-upload-${c.name}.timer`,
    '[Unit]',
    `Description=Run bulk-upload job ${c.name} every night`,
    '',
    '[Timer]',
    `OnCalendar=*-*-* ${at}:00`,
    'Persistent=true',
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
    `# then: systemctl --user daemon-reload && systemctl --user enable --now bulk-upload-${c.name}.timer`,
  ].join('\n')
}

export function cronLine(c: SchedulerContext): string {
  const [h, m] = (c.at ?? '02:00').split(':').map(Number)
  const word = (w: string) => shellWord(checkWord(w, 'cron'))
  const env = c.home ? `BULK_UPLOAD_HOME=${word(c.home)} ` : ''
  return `# crontab -e, then add:\n${m} ${h} * * * ${cronEscape(`${env}${commandPath(c, word)} job run ${c.name} >/dev/null 2>&1`)}`
}

export function schtasksCommand(c: SchedulerContext): string {
  // What the task runs, with \" for each quote schtasks must keep inside /TR.
  const run = `${commandPath(c, (w) => `\\"${checkWindowsWord(w)}\\"`)} job run ${c.name}`
  const task = c.home ? `cmd /c \\"set \\"BULK_UPLOAD_HOME=${checkWindowsWord(c.home)}\\"&& ${run}\\"` : run
  return cmdEscape(`schtasks /Create /SC DAILY /ST ${c.at ?? '02:00'} /TN "bulk-upload ${c.name}" /TR "${task}"`)
}

/**
 * The entry for this computer's own scheduler (the desktop app shows one): systemd on Linux,
 * Task Scheduler on Windows, cron elsewhere (macOS keeps cron; launchd plists are not written).
 */
export function scheduleFor(platform: NodeJS.Platform, c: SchedulerContext): JobSchedule {
  const scheduler = platform === 'linux' ? 'systemd' : platform === 'win32' ? 'schtasks' : 'cron'
  try {
    const text = scheduler === 'systemd' ? systemdUnits(c) : scheduler === 'schtasks' ? schtasksCommand(c) : cronLine(c)
    return { scheduler, text }
  } catch (err) {
    // A path no entry can carry: the job is still listed, and the sentence says why there is no entry.
    if (!(err instanceof AppError)) throw err
    return { scheduler, text: `${scheduler === 'schtasks' ? 'REM' : '#'} ${err.details ?? err.message}` }
  }
}
