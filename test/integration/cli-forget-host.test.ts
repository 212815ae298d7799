/** `bulk-upload forget-host`: the warned, explicit way to drop a server's pinned keys from the CLI. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from './upload/cli'

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGV7oRze6qtUz+RHcTuBmxNqipuRjGv6+0DG3IFH0mSW'
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7'

describe('bulk-upload forget-host', () => {
  it('removes only that server\'s lines, warns, and says when nothing was pinned', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bu-forget-'))
    const file = path.join(dir, 'known_hosts')
    await writeFile(file, `# ours\n[sftp.example.com]:2222 ${ED}\n[sftp.example.com]:2222 ${RSA}\nother.example.com ${ED}\n`)
    const run = await runCli(['forget-host', '--host', 'sftp.example.com', '--port', '2222', '--known-hosts', file], { BULK_UPLOAD_HOME: dir })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('Removed 2 pinned key lines for sftp.example.com:2222')
    expect(run.stderr).toMatch(/only once your platform has confirmed its fingerprint/)
    expect(await readFile(file, 'utf8')).toBe(`# ours\nother.example.com ${ED}\n`)
    const again = await runCli(['forget-host', '--host', 'sftp.example.com', '--port', '2222', '--known-hosts', file], { BULK_UPLOAD_HOME: dir })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing was pinned for sftp.example.com:2222')
    const bad = await runCli(['forget-host', '--host', 'x', '--port', '0'], { BULK_UPLOAD_HOME: dir })
    expect(bad.code).toBe(2)
  })
})
