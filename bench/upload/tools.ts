/**
 * The upload tools measured side by side: this engine (in its own process) and the peers a
 * customer would otherwise use — OpenSSH sftp, lftp, rclone — plus the ceiling: the same bytes
 * piped through ssh to `cat >/dev/null` with the same cipher. Each returns wall seconds.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export interface Target {
  host: string
  port: number
  username: string
  keyFile: string
  knownHosts: string
  /** Remote folder, relative to the login folder; created by the caller. */
  remoteDir: string
  /** Local folder to upload. */
  localDir: string
  work: string
}

export interface ToolRun {
  seconds: number
  /**
   * Client CPU: user + system seconds of the tool's process and every process it waited for
   * (sftp's ssh, lftp's ssh, bulk-upload's ssh with the OpenSSH transport), as the kernel
   * counts them when the tool exits. Null where /proc is unavailable.
   */
  cpuSeconds: number | null
  maxRssKiB?: number
}

/** CPU seconds of this process's children that have ended and been waited for (Linux /proc/self/stat: cutime + cstime). */
export function childrenCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 16 and 17 of the whole line (cutime, cstime), counted from the state field (3).
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS
  } catch {
    return null
  }
}
/**
 * CPU seconds the whole machine has spent busy since boot, every process and the kernel's
 * interrupt work counted (Linux /proc/stat: all but idle, iowait and steal). Around a loopback run it
 * holds the server's CPU too, which shares the cores: wall time cannot be less than it divided
 * by the cores. Null where /proc is unavailable.
 */
export function machineCpuSeconds(): number | null {
  try {
    // user nice system idle iowait irq softirq steal...: steal is another guest's time, not work done here.
    const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number)
    return (user! + nice! + system! + irq! + softirq!) / CLOCK_TICKS
  } catch {
    return null
  }
}
/** USER_HZ: 100 on every Linux this bench runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100

export interface Tool {
  name: string
  available(): string | null
  run(t: Target, timeoutMs: number): Promise<ToolRun>
}

/** The cipher every tool uses, so they are compared on equal terms (AES-NI on x86). */
export const CIPHER = 'aes128-gcm@openssh.com'
const here = path.dirname(fileURLToPath(import.meta.url))

function sshOptions(t: Target): string[] {
  return ['-i', t.keyFile, '-o', `UserKnownHostsFile=${t.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', `Ciphers=${CIPHER}`, '-o', 'IdentitiesOnly=yes']
}

/**
 * Runs a command, failing on a non-zero exit or after the timeout; returns seconds taken and
 * its CPU (with its children's). Tools run one at a time, so the children's CPU counted while
 * it runs is its own.
 */
export function timed(cmd: string, args: string[], opts: { timeoutMs: number; input?: string; shell?: boolean; env?: NodeJS.ProcessEnv }): Promise<{ seconds: number; cpuSeconds: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuSeconds()
    const started = process.hrtime.bigint()
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: opts.shell ?? false, env: opts.env ?? process.env })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d))
    child.stderr.on('data', (d: Buffer) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      const cpuAfter = childrenCpuSeconds()
      const cpuSeconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore
      if (code === 0) resolve({ seconds, cpuSeconds, stdout })
      else reject(new Error(`${path.basename(cmd)} ${signal ? `killed (${signal}, timeout ${opts.timeoutMs / 1000} s)` : `exited ${code}`}: ${stderr.slice(-400)}`))
    })
    child.stdin.end(opts.input ?? '')
  })
}

const which = (bin: string) => (existsSync(bin) ? null : `${bin} is not installed (apt-get install ${path.basename(bin) === 'sftp' ? 'openssh-client' : path.basename(bin)})`)

/**
 * The whole command as a user runs it, timed from outside from process start to exit: the
 * compiled CLI starts, checks the batch folder (CSV and recordings), loads the key, connects,
 * uploads the recordings and then the CSV. Each run gets a fresh app home (so the delivery
 * ledger does not skip rows delivered by the run before) and a fresh resume journal.
 */
export function cliTool(concurrency?: number, transport?: 'openssh'): Tool {
  return {
    name: `bulk-upload upload${concurrency ? ` --concurrency ${concurrency}` : ''} (whole command${transport ? ', OpenSSH transport: BULK_UPLOAD_TRANSPORT=openssh' : ''})`,
    available: () => (existsSync(CLI_BUILD) ? null : `the compiled CLI is missing (${CLI_BUILD}): run npm run build:cli`),
    async run(t, timeoutMs) {
      const fresh = path.join(t.work, `cli-${process.hrtime.bigint()}`)
      const args = [
        CLI, 'upload', t.localDir, '--host', t.host, '--port', String(t.port), '--user', t.username, '--key', t.keyFile,
        '--known-hosts', t.knownHosts, '--remote-dir', t.remoteDir, '--state-dir', path.join(fresh, 'state'), '--json',
        ...(concurrency ? ['--concurrency', String(concurrency)] : []),
      ]
      const env = { ...process.env, BULK_UPLOAD_HOME: path.join(fresh, 'home'), BULK_UPLOAD_TRANSPORT: transport ?? 'ssh2' }
      const { seconds, cpuSeconds, stdout } = await timed(process.execPath, args, { timeoutMs, env })
      const summary = JSON.parse(stdout.trim().split('\n').pop()!) as { uploaded: number; failed: number; csv: string | null }
      if (summary.failed > 0 || !summary.csv) throw new Error(`bulk-upload: ${summary.failed} failed, CSV ${summary.csv ?? 'not sent'}`)
      return { seconds, cpuSeconds }
    },
  }
}

/**
 * The compiled CLI that bin/bulk-upload.js runs while the build is current (bench/run.ts builds
 * it first). Started directly: on a shared working tree another person's edit made the launcher
 * fall back to transpiling the source with tsx mid-run, which timed tsx instead. The launcher's
 * own check (a stat of each bundled source file) is a few milliseconds.
 */
const CLI = path.join(here, '../../build/cli/main.js')
const CLI_BUILD = path.join(here, '../../build/cli')

/**
 * The engine run as its own process. `tree` runs another checkout's engine (the one before
 * recordings were hashed while sent, for the cost of hashing), named by `label`.
 */
export function engineTool(concurrency: number | null, channelsPerConnection?: number, tree?: { root: string; label: string }): Tool {
  const runner = tree ? path.join(tree.root, 'bench/upload/engine-runner.ts') : path.join(here, 'engine-runner.ts')
  const runTs = tree ? path.join(tree.root, 'bin/run-ts.js') : path.join(here, '../../bin/run-ts.js')
  return {
    name: `engine only${tree ? ` ${tree.label}` : ''} (${concurrency ?? 'automatic'} files in flight, after start-up, listing and key loading)`,
    available: () => null,
    async run(t, timeoutMs) {
      const options = {
        dir: t.localDir, host: t.host, port: t.port, username: t.username, keyFile: t.keyFile, knownHosts: t.knownHosts,
        remoteDir: t.remoteDir, stateDir: path.join(t.work, `state-${Date.now()}`), concurrency, channelsPerConnection,
      }
      const { stdout } = await timed(process.execPath, [runTs, runner, JSON.stringify(options)], { timeoutMs })
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; error: string | null; seconds: number; cpuSeconds?: number; maxRssKiB: number }
      if (!result.ok) throw new Error(`engine: ${result.error}`)
      return { seconds: result.seconds, cpuSeconds: result.cpuSeconds ?? null, maxRssKiB: result.maxRssKiB }
    },
  }
}

export function sftpTool(tuned: boolean): Tool {
  return {
    // -B 262144 is refused by this OpenSSH ("Outbound message too long"): its largest is 255 KiB.
    name: tuned ? 'OpenSSH sftp -b -R 64 -B 261120' : 'OpenSSH sftp -b',
    available: () => which('/usr/bin/sftp'),
    async run(t, timeoutMs) {
      const batch = path.join(t.work, 'sftp-batch')
      await writeFile(batch, `cd ${t.remoteDir}\nlcd ${t.localDir}\nput *\n`)
      const args = ['-q', '-b', batch, '-P', String(t.port), ...sshOptions(t), ...(tuned ? ['-R', '64', '-B', '261120'] : []), `${t.username}@${t.host}`]
      const { seconds, cpuSeconds } = await timed('/usr/bin/sftp', args, { timeoutMs })
      return { seconds, cpuSeconds }
    },
  }
}

export const lftpTool: Tool = {
  name: 'lftp mirror -R --parallel=8',
  available: () => which('/usr/bin/lftp'),
  async run(t, timeoutMs) {
    const ssh = ['ssh', '-a', '-x', ...sshOptions(t)].join(' ')
    const script = [
      `set sftp:connect-program "${ssh}"`,
      'set net:max-retries 1',
      `open -u ${t.username}, -p ${t.port} sftp://${t.host}`,
      `mirror -R --parallel=8 ${t.localDir} ${t.remoteDir}`,
    ].join('; ')
    const { seconds, cpuSeconds } = await timed('/usr/bin/lftp', ['-c', script], { timeoutMs })
    return { seconds, cpuSeconds }
  },
}

/**
 * rclone's default runs `md5sum` over ssh after every file (4.6 MB/s on the 2,000-file set
 * here, and the 20,000-file set did not finish in 20 minutes): the check is turned off so the
 * peer is measured at its best.
 */
export const rcloneTool: Tool = {
  name: 'rclone copy --transfers 8 --sftp-disable-hashcheck',
  available: () => which('/usr/bin/rclone'),
  async run(t, timeoutMs) {
    const args = [
      'copy', '--transfers', '8', '--config', '/dev/null', t.localDir, `:sftp:${t.remoteDir}`,
      '--sftp-host', t.host, '--sftp-port', String(t.port), '--sftp-user', t.username,
      '--sftp-key-file', t.keyFile, '--sftp-known-hosts-file', t.knownHosts, '--sftp-disable-hashcheck',
    ]
    const { seconds, cpuSeconds } = await timed('/usr/bin/rclone', args, { timeoutMs })
    return { seconds, cpuSeconds }
  },
}

export const ceilingTool: Tool = {
  name: `ceiling: cat | ssh -c ${CIPHER} 'cat >/dev/null'`,
  available: () => which('/usr/bin/ssh'),
  async run(t, timeoutMs) {
    const ssh = ['ssh', '-p', String(t.port), ...sshOptions(t), `${t.username}@${t.host}`, "'cat >/dev/null'"].join(' ')
    const cmd = `find ${t.localDir} -type f -print0 | xargs -0 cat | ${ssh}`
    const { seconds, cpuSeconds } = await timed('/bin/sh', ['-c', cmd], { timeoutMs })
    return { seconds, cpuSeconds }
  },
}
