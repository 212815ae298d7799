/**
 * What `job show NAME --systemd|--cron|--schtasks` prints: the scheduler entries that run a
 * saved job nightly, filled in with this computer's node, this install's command and the
 * app home, so they can be pasted as they are.
 */
import type { JobSchedule } from '../api'
import { cliCommandWords } from '../cli-launcher'

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

const q = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
/** systemd's quoting: a word with a space (the app in `/opt/Bulk Upload`) in double quotes. */
const systemdWord = (s: string) => (/^[^\s"'\\]+$/.test(s) ? s : `"${s.replace(/["\\]/g, '\\$&')}"`)

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
    ...(c.home ? [`Environment=BULK_UPLOAD_HOME=${c.home}`] : []),
    `ExecStart=${commandPath(c, systemdWord)} job run ${c.name}`,
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
  const env = c.home ? `BULK_UPLOAD_HOME=${q(c.home)} ` : ''
  return `# crontab -e, then add:\n${m} ${h} * * * ${env}${commandPath(c, q)} job run ${c.name} >/dev/null 2>&1`
}

export function schtasksCommand(c: SchedulerContext): string {
  const run = `${commandPath(c, (w) => `\\"${w}\\"`)} job run ${c.name}`
  const cmd = c.home ? `cmd /c \\"set BULK_UPLOAD_HOME=${c.home}&& ${run}\\"` : run
  return `schtasks /Create /SC DAILY /ST ${c.at ?? '02:00'} /TN "bulk-upload ${c.name}" /TR "${cmd}"`
}

/**
 * The entry for this computer's own scheduler (the desktop app shows one): systemd on Linux,
 * Task Scheduler on Windows, cron elsewhere (macOS keeps cron; launchd plists are not written).
 */
export function scheduleFor(platform: NodeJS.Platform, c: SchedulerContext): JobSchedule {
  if (platform === 'linux') return { scheduler: 'systemd', text: systemdUnits(c) }
  if (platform === 'win32') return { scheduler: 'schtasks', text: schtasksCommand(c) }
  return { scheduler: 'cron', text: cronLine(c) }
}
