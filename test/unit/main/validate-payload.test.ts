import { describe, expect, it } from 'vitest'
import { API_CALLS, CALL_ARITY } from '../../../src/api-calls'
import { validateCall } from '../../../main/validate-payload'
import { isAppError, type AppError } from '../../../src/errors'

const spec = { paths: ['/data/batch'], csvPath: '/data/batch/calls.csv', mapping: { contactReference: 'Ref', agentId: 'Agent', contactDate: 'Date' } }

function refusal(call: unknown, args: unknown): string {
  try {
    validateCall(call, args)
  } catch (err) {
    expect(isAppError(err, 'BAD_ARGUMENT')).toBe(true)
    return (err as { details: string }).details
  }
  throw new Error('expected a refusal')
}

describe('validateCall', () => {
  it('knows every call of the contract, with its argument count', () => {
    expect(API_CALLS).toContain('scan')
    expect(API_CALLS).not.toContain('onUploadEvent')
    expect(API_CALLS.length).toBe(Object.keys(CALL_ARITY).length)
  })

  it('names a refused passphrase or key text, never its value', () => {
    const secret = 'hunter2-secret-passphrase-'.repeat(60)
    const passphraseRefusal = refusal('testConnection', ['dest-1', secret])
    expect(passphraseRefusal).toMatch(/`passphrase`.*not shown/)
    expect(passphraseRefusal).not.toContain('hunter2')
    const keyRefusal = refusal('importKey', ['work', 'x'.repeat(70_000) + '-----BEGIN OPENSSH PRIVATE KEY-----', null])
    expect(keyRefusal).toMatch(/`text`/)
    expect(keyRefusal).not.toMatch(/xxxx|BEGIN/)
  })

  it('refuses names that are not calls, including inherited object keys', () => {
    expect(refusal('onUploadEvent', [])).toMatch(/Expected `call`/)
    expect(refusal('constructor', [])).toMatch(/Expected `call`/)
    expect(refusal('__proto__', [])).toMatch(/Expected `call`/)
    expect(refusal(42, [])).toMatch(/Expected `call`/)
  })

  it('refuses a wrong argument count or non-array arguments', () => {
    expect(refusal('scan', [])).toBe('Expected `scan arguments` to be 1 argument, got `0`')
    expect(refusal('scan', { 0: ['/x'] })).toMatch(/Expected `args` to be an array/)
    expect(refusal('getSettings', [1])).toMatch(/0 arguments/)
  })

  it('checks shapes, with the failing field named', () => {
    expect(refusal('scan', [[]])).toMatch(/Expected `paths` to be an array of 1 to/)
    expect(refusal('scan', [['/ok', 3]])).toMatch(/`paths\[1\]`/)
    expect(refusal('previewCsv', ['a\0b'])).toMatch(/without NUL/)
    expect(refusal('validate', [{ ...spec, mapping: { contactReference: 'Ref' } }])).toMatch(/`spec.mapping.agentId`/)
    expect(refusal('generateKey', ['k', 'dsa', null])).toBe('Expected `type` to be one of `ed25519`, `rsa`, got `"dsa"`')
    expect(refusal('pauseUpload', ['b1', 'yes'])).toMatch(/`paused` to be true or false/)
    expect(refusal('setStrictAgents', ['dest-1', 'on'])).toMatch(/`strict` to be true or false/)
    expect(validateCall('setStrictAgents', ['dest-1', true]).args).toEqual(['dest-1', true])
    // Review's "These agents are right": a list of agent IDs, as saveAgentList takes.
    expect(refusal('confirmAgents', ['dest-1', 'ana@example.com'])).toMatch(/`ids` to be an array of at most/)
    expect(refusal('confirmAgents', ['dest-1', [42]])).toMatch(/`ids\[0\]`/)
    expect(refusal('confirmAgents', ['dest-1', ['x'.repeat(321)]])).toMatch(/`ids\[0\]`/)
    expect(validateCall('confirmAgents', ['dest-1', ['ana@example.com']]).args).toEqual(['dest-1', ['ana@example.com']])
    expect(refusal('listIssues', ['c1', { offset: -1, limit: 10 }])).toMatch(/`query.offset`/)
    expect(refusal('listIssues', ['c1', { offset: 0, limit: 10, code: 'NOPE' }])).toMatch(/`query.code`/)
    expect(refusal('saveSettings', [{ concurrency: 0, retentionDays: 30 }])).toBe('Expected `settings.concurrency` to be an integer from 1 to 32, got `0`')
    expect(refusal('saveDestination', [{ name: 'P', host: 'sftp.example.com', port: 70000, username: 'u', keyName: 'k', remoteDir: '' }])).toMatch(/`destination.port`/)
    expect(refusal('saveDestination', [{ name: 'P', host: 'a b', port: 22, username: 'u', keyName: 'k', remoteDir: '' }])).toMatch(/`destination.host`/)
    expect(refusal('importKey', ['k', 'x'.repeat(70_000), null])).toMatch(/`text`/)
  })

  it('checks the bandwidth limit and proxy settings with the CLI\'s own parsers', () => {
    const base = { concurrency: 8, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }
    expect(validateCall('saveSettings', [{ ...base, bandwidthLimit: ' 08:00,1M 18:00,off ', proxy: 'url', proxyUrl: 'socks5h://qa:pw@gw.corp:1080' }]).args)
      .toEqual([{ ...base, bandwidthLimit: '08:00,1M 18:00,off', proxy: 'url', proxyUrl: 'socks5h://qa:pw@gw.corp:1080' }])
    expect(refusal('saveSettings', [{ ...base, bandwidthLimit: 'fast' }])).toBe('Expected `settings.bandwidthLimit` to be a rate such as 2M or 500K, or a timetable such as "08:00,1M 18:00,off", got `fast`: K, M and G are KiB, MiB and GiB per second (500K, 2M, 1.5M); off means no limit.')
    expect(refusal('saveSettings', [{ ...base, bandwidthLimit: '08:00,1M 25:00,off' }])).toMatch(/`settings.bandwidthLimit`/)
    expect(refusal('saveSettings', [{ ...base, proxy: 'pac' }])).toBe('Expected `settings.proxy` to be one of `none`, `system`, `url`, got `"pac"`')
    expect(refusal('saveSettings', [{ ...base, proxy: 'url', proxyUrl: '' }])).toMatch(/Expected `settings.proxyUrl` to be socks5:\/\//)
    // The password of a refused URL is not repeated.
    expect(refusal('saveSettings', [{ ...base, proxy: 'url', proxyUrl: 'ftp://qa:secret@gw:21' }])).not.toContain('secret')
    expect(refusal('saveSettings', [{ concurrency: 8, retentionDays: 30, ledgerRetentionDays: 400 }])).toMatch(/`settings.bandwidthLimit`/)
  })

  it('checks the team ledger as `--ledger` does: empty, or a PostgreSQL address; a refusal never repeats its password', () => {
    const base = { concurrency: 8, retentionDays: 30, ledgerRetentionDays: 400, bandwidthLimit: '', proxy: 'system', proxyUrl: '', teamLedger: '' }
    const code = (args: unknown[]) => {
      try {
        validateCall('saveSettings', args)
      } catch (err) {
        return { code: (err as AppError).code, details: (err as AppError).details ?? '' }
      }
      return null
    }
    expect(validateCall('saveSettings', [base]).args).toEqual([base])
    expect(validateCall('saveSettings', [{ ...base, teamLedger: '   ' }]).args).toEqual([base])
    for (const address of ['postgresql://qa@ledger.corp:5432/deliveries', 'postgres://qa:pw@10.0.0.5/deliveries?sslmode=require']) {
      expect(validateCall('saveSettings', [{ ...base, teamLedger: ` ${address} ` }]).args).toEqual([{ ...base, teamLedger: address }])
    }
    expect(code([{ ...base, teamLedger: 'mysql://qa:hunter2@db/x' }])).toEqual({ code: 'TEAM_LEDGER_INVALID', details: 'It starts with mysql://, not postgresql://.' })
    expect(code([{ ...base, teamLedger: 'ledger.corp:5432' }])?.code).toBe('TEAM_LEDGER_INVALID')
    expect(code([{ ...base, teamLedger: 'postgresql:///deliveries' }])).toEqual({ code: 'TEAM_LEDGER_INVALID', details: 'It names no database server (postgresql://HOST:5432/database).' })
    const long = `postgresql://qa:hunter2@ledger.corp:5432/${'d'.repeat(2100)}`
    expect(code([{ ...base, teamLedger: long }])).toMatchObject({ code: 'BAD_ARGUMENT', details: expect.stringMatching(/^Expected `settings.teamLedger` to be '' or a postgresql:\/\/ address of at most 2048 characters/) })
    expect(code([{ ...base, teamLedger: long }])?.details).not.toContain('hunter2')
    expect(code([{ ...base, teamLedger: 'postgresql://qa:hunter2@ledger.corp/x\0' }])?.details).not.toContain('hunter2')
    expect(code([{ ...base, teamLedger: 5432 }])?.details).toMatch(/`settings.teamLedger`/)
    // A settings object from before the team ledger is refused as incomplete, like any missing field.
    const { teamLedger, ...older } = base
    void teamLedger
    expect(code([older])?.details).toMatch(/`settings.teamLedger`/)
  })

  it('checks a job to save: its name as `job save` does, its batch and destination', () => {
    const job = { name: 'nightly-calls', root: '/data/exports', spec, destinationId: 'dest-1' }
    expect(validateCall('saveJob', [{ ...job, extra: 1 }]).args).toEqual([job])
    expect(refusal('saveJob', [{ ...job, name: '../evil' }])).toMatch(/Expected a job name of letters, digits/)
    expect(refusal('saveJob', [{ ...job, spec: { ...spec, paths: [] } }])).toMatch(/`job.spec.paths`/)
    expect(refusal('removeJob', ['a/b'])).toMatch(/Expected a job name/)
  })

  it('returns fresh arguments holding only the declared fields', () => {
    const input = { ...spec, extra: 1, mapping: { ...spec.mapping, audioFilename: 'File', __proto__: { polluted: true }, other: 'x' } }
    const { args } = validateCall('validate', [input])
    expect(args).toEqual([{ paths: ['/data/batch'], csvPath: '/data/batch/calls.csv', mapping: { ...spec.mapping, audioFilename: 'File' } }])
    expect(args[0]).not.toBe(input)
  })

  it('accepts nulls where the contract allows them', () => {
    expect(validateCall('browse', [null]).args).toEqual([null])
    expect(validateCall('startUpload', [spec, 'sandbox', null]).args[2]).toBeNull()
    expect(validateCall('resumeInterrupted', ['b1', 'secret']).args).toEqual(['b1', 'secret'])
  })
})
