import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src/errors'
import { failureKind, sftpError, SFTP_STATUS } from '../../../src/transfer/sftp-errors'

const status = (code: number, message: string) => Object.assign(new Error(message), { code })

describe('SFTP failures mapped to app codes and reactions', () => {
  it.each([
    [status(SFTP_STATUS.PERMISSION_DENIED, 'Permission denied'), 'PERMISSION_DENIED', 'file'],
    [status(SFTP_STATUS.FAILURE, 'No space left on device (quota of 5 bytes reached)'), 'DISK_FULL', 'fatal'],
    [status(SFTP_STATUS.FAILURE, 'Failure'), 'WRITE_FAILED', 'file'],
    [status(SFTP_STATUS.OP_UNSUPPORTED, 'Random access writes are not supported'), 'WRITE_FAILED', 'file'],
    [status(SFTP_STATUS.CONNECTION_LOST, 'lost'), 'CONNECTION_LOST', 'reconnect'],
    [new Error('No response from server'), 'CONNECTION_LOST', 'reconnect'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'CONNECTION_LOST', 'reconnect'],
    [Object.assign(new Error('Timed out while waiting for handshake'), { level: 'client-timeout' }), 'TIMEOUT', 'reconnect'],
    [Object.assign(new Error('All configured authentication methods failed'), { level: 'client-authentication' }), 'AUTH_REFUSED', 'fatal'],
  ])('%s → %s (%s)', (err, code, kind) => {
    const mapped = sftpError(err, 'x.wav')
    expect(mapped.code).toBe(code)
    expect(failureKind(mapped)).toBe(kind)
  })

  it('keeps an AppError as it is', () => {
    const err = new AppError('HOST_KEY_CHANGED')
    expect(sftpError(err)).toBe(err)
    expect(failureKind(err)).toBe('fatal')
  })
})
