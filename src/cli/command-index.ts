/**
 * Which module registers each `bulk-upload` command, and the line each shows in the top-level
 * help. A run loads only the module of the command it names (`bulk-upload upload …` never
 * loads the sandbox or the web host; `--help` loads none), so start-up does not pay for ssh2,
 * SQLite or the CSV reader before they are needed. The help lines must equal what each
 * module registers: test/unit/cli/command-index.test.ts compares them.
 */
import type { Command } from 'commander'

export interface CommandEntry {
  /** The top-level command names the module registers. */
  names: string[]
  /** Loads the module and returns its register function. */
  load: () => Promise<(program: Command) => void>
  /** Per name: the term and description shown in `bulk-upload --help`. */
  help: Record<string, { term: string; description: string }>
}

export const COMMANDS: CommandEntry[] = [
  {
    names: ['check'],
    load: async () => (await import('./commands/check')).registerCheck,
    help: { check: { term: 'check [options] <folder>', description: 'Check a folder of recordings and its CSV without uploading anything.' } },
  },
  {
    names: ['keygen', 'key'],
    load: async () => (await import('./commands/keys')).registerKeys,
    help: {
      keygen: { term: 'keygen [options]', description: 'Generate an SSH key pair for the platform, stored in the app data folder; prints the public key to paste.' },
      key: { term: 'key', description: 'Work with SSH keys.' },
    },
  },
  {
    names: ['sandbox'],
    load: async () => (await import('./commands/sandbox')).registerSandbox,
    help: { sandbox: { term: 'sandbox [options]', description: 'Run the built-in SFTP server on this computer, to try uploads without the platform.' } },
  },
  {
    names: ['upload'],
    load: async () => (await import('./commands/upload')).registerUpload,
    help: { upload: { term: 'upload [options] <folder>', description: 'Check a folder of recordings and its CSV, then upload them over SFTP: recordings first, the CSV last.' } },
  },
  {
    names: ['serve'],
    load: async () => (await import('./commands/serve')).registerServe,
    help: { serve: { term: 'serve [options]', description: 'Serve the app to a browser on this computer (127.0.0.1 only); each printed address opens it once.' } },
  },
  {
    names: ['history'],
    load: async () => (await import('./commands/history')).registerHistory,
    help: { history: { term: 'history [options]', description: 'List the batches delivered to a destination (from this computer\'s delivery ledger).' } },
  },
  {
    names: ['sample-csv', 'layout'],
    load: async () => (await import('./commands/sample-csv')).registerSampleCsv,
    help: {
      'sample-csv': { term: 'sample-csv [options] <out.csv>', description: 'Write the sample CSV to give the platform\'s Setup step, in the layout later uploads to this destination use.' },
      layout: { term: 'layout', description: 'The CSV layout the platform\'s mapping was set up with, per destination.' },
    },
  },
  {
    names: ['forget-host'],
    load: async () => (await import('./commands/forget-host')).registerForgetHost,
    help: { 'forget-host': { term: 'forget-host [options]', description: 'Remove the pinned identity keys of a server, so its new key can be confirmed. Only after your platform confirms the server was rebuilt.' } },
  },
  {
    names: ['watch'],
    load: async () => (await import('./commands/watch')).registerWatch,
    help: { watch: { term: 'watch [options] <root>', description: 'Send each folder of a daily export under ROOT once its files have settled: one CSV per folder, only rows not delivered before.' } },
  },
  {
    names: ['agents'],
    load: async () => (await import('./commands/agents')).registerAgents,
    help: { agents: { term: 'agents', description: 'The agent IDs a destination\'s platform knows: batches naming others are flagged before sending.' } },
  },
  {
    names: ['job'],
    load: async () => (await import('./commands/job')).registerJob,
    help: { job: { term: 'job', description: 'Saved jobs: a watch --once stored by name, to run from cron, systemd or Task Scheduler.' } },
  },
]

/**
 * The entry for the command these arguments run (`help NAME` counts as NAME), or undefined
 * for none or an unknown one. The program itself has only -h and -V, so the first argument
 * not starting with '-' is the command.
 */
export function entryFor(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'))
  const name = words[0] === 'help' ? words[1] : words[0]
  return name === undefined ? undefined : COMMANDS.find((c) => c.names.includes(name))
}
