/**
 * "Do this automatically" turns a batch into `watch --once` options the command line reads
 * back: the mapping as --map, the destination's key by name, the app's known_hosts, the
 * speed limit, the proxy and the delivery ledger as the settings have them, and no secret.
 */
import { describe, expect, it } from 'vitest'
import type { Destination, Settings } from '../../../src/api'
import { jobFromBatch, jobInfo, JOB_PASSPHRASE_ENV } from '../../../main/job-from-batch'
import { formatProxyUrl, parseProxyUrl } from '../../../src/ssh/proxy'
import type { AppError } from '../../../src/errors'

const destination: Destination = { id: 'leeds-1a2b3c', name: 'Leeds', host: 'sftp.evaluagent.example', port: 2222, username: 'acme', keyName: 'evaluagent', remoteDir: 'in', sandbox: false }
const settings: Settings = { concurrency: 6, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '08:00,1M 18:00,off', proxy: 'system', proxyUrl: '', teamLedger: '' }
const input = {
  name: 'leeds-nightly',
  root: '/data/exports',
  destinationId: destination.id,
  spec: { paths: ['/data/exports/day-1'], csvPath: '/data/exports/day-1/calls.csv', mapping: { contactReference: 'Call ID', agentId: 'Agent', contactDate: 'Start', audioFilename: 'File', dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London' }, resendDelivered: true },
}

describe('jobFromBatch', () => {
  it('keeps what the app used, as the CLI flags name it, and never resends on purpose', () => {
    const proxy = { kind: 'socks5h' as const, host: 'gw.corp', port: 1080, username: 'qa', password: 'p@ss:word' }
    const job = jobFromBatch(input, { home: '/home/qa/.bulk', destination, settings, proxy, ledger: 'postgresql://qa@ledger.corp:5432/deliveries', keyEncrypted: true })
    expect(job).toMatchObject({ version: 1, name: 'leeds-nightly', root: '/data/exports', lastRun: null })
    expect(job.options).toEqual({
      map: ['contactReference=Call ID', 'agentId=Agent', 'contactDate=Start', 'audioFilename=File'],
      dateFormat: 'dd/MM/yyyy HH:mm', timezone: 'Europe/London',
      host: 'sftp.evaluagent.example', port: 2222, user: 'acme', key: 'evaluagent', passphraseEnv: JOB_PASSPHRASE_ENV,
      knownHosts: '/home/qa/.bulk/known_hosts', remoteDir: 'in', concurrency: 6, bwlimit: '08:00,1M 18:00,off',
      proxy: 'socks5h://qa:p%40ss%3Aword@gw.corp:1080', ledger: 'postgresql://qa@ledger.corp:5432/deliveries', csvName: '*.csv', interval: 60, settle: 60,
    })
    expect(parseProxyUrl(job.options.proxy as string)).toEqual(proxy)
  })

  it('"Directly" and the sandbox are --no-proxy; a system setting without a proxy leaves the environment to decide', () => {
    const none = jobFromBatch(input, { home: '/h', destination, settings: { ...settings, proxy: 'none' }, proxy: null, ledger: null, keyEncrypted: false })
    expect(none.options.proxy).toBe(false)
    expect(none.options.passphraseEnv).toBeUndefined()
    expect(jobFromBatch(input, { home: '/h', destination: { ...destination, sandbox: true }, settings, proxy: null, ledger: null, keyEncrypted: false }).options.proxy).toBe(false)
    expect('proxy' in jobFromBatch(input, { home: '/h', destination, settings, proxy: null, ledger: null, keyEncrypted: false }).options).toBe(false)
  })

  it('runs on the ledger the app uses: the team ledger, else this computer\'s own by name (not BULK_UPLOAD_LEDGER)', () => {
    const team = 'postgresql://qa@ledger.corp:5432/deliveries'
    expect(jobFromBatch(input, { home: '/h', destination, settings: { ...settings, teamLedger: team }, proxy: null, ledger: team, keyEncrypted: false }).options.ledger).toBe(team)
    expect(jobFromBatch(input, { home: '/h', destination, settings, proxy: null, ledger: null, keyEncrypted: false }).options.ledger).toBe('local')
  })

  it('refuses a team ledger address with a password (a job file holds no secret), naming the address without it and the password file', () => {
    const team = 'postgresql://qa:hunter2@ledger.corp:5432/deliveries'
    let refused: AppError | null = null
    try {
      jobFromBatch(input, { home: '/h', destination, settings: { ...settings, teamLedger: team }, proxy: null, ledger: team, keyEncrypted: false })
    } catch (err) {
      refused = err as AppError
    }
    expect(refused).toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('(postgresql://qa@ledger.corp:5432/deliveries)') })
    expect(refused!.message).toMatch(/~\/\.pgpass/)
    expect(`${refused!.message} ${refused!.details ?? ''}`).not.toContain('hunter2')
  })

  it('lists a job with the entry for this computer\'s scheduler, naming the app home', () => {
    const job = jobFromBatch(input, { home: '/h', destination, settings, proxy: null, ledger: null, keyEncrypted: false })
    const cli = { node: '/usr/bin/node', script: '/opt/bulk-upload/bin/bulk-upload.js' }
    expect(jobInfo(job, '/h', cli, 'linux').schedule).toMatchObject({ scheduler: 'systemd', text: expect.stringContaining('Environment="BULK_UPLOAD_HOME=/h"') })
    expect(jobInfo(job, '/h', cli, 'darwin').schedule.text).toMatch(/^# crontab -e, then add:\n0 2 \* \* \* BULK_UPLOAD_HOME=\/h \/usr\/bin\/node .* job run leeds-nightly/)
    expect(jobInfo(job, 'C:\\qa', cli, 'win32').schedule).toMatchObject({ scheduler: 'schtasks', text: expect.stringContaining('set \\"BULK_UPLOAD_HOME=C:\\qa\\"^&^&') })
    expect(jobInfo(job, '/h', cli, 'linux')).toMatchObject({ name: 'leeds-nightly', root: '/data/exports', destination: 'acme@sftp.evaluagent.example:2222', lastRun: null })
  })

  it('formats proxy URLs that parse back to the same proxy', () => {
    for (const url of ['socks5://127.0.0.1:1080', 'http://u@proxy:8080', 'socks5h://[fd00::1]:1080']) expect(parseProxyUrl(formatProxyUrl(parseProxyUrl(url)))).toEqual(parseProxyUrl(url))
  })
})
