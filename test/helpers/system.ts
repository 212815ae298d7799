/**
 * Which real system parts this machine has (OpenSSH server and client, Chromium), so suites
 * that need them skip with a printed reason instead of failing or skipping silently.
 *
 * Usage: `describe.skipIf(skipWithReason(hasSshd(), 'sshd interop'))('...', () => ...)`.
 */
import { accessSync, constants } from 'node:fs'
import { execFileSync } from 'node:child_process'

/** The outcome of looking for a system tool: its path when found, else why not. */
export interface SystemCheck {
  ok: boolean
  /** Absolute path of the program when found. */
  path: string | null
  /** Why the tool is missing and how to get it; null when found. */
  reason: string | null
}

function findProgram(candidates: string[], pkg: string): SystemCheck {
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return { ok: true, path: candidate, reason: null }
    } catch {
      // try the next candidate
    }
  }
  return {
    ok: false,
    path: null,
    reason: `${candidates.join(' or ')} not found: install the Debian package ${pkg} (apt-get install -y ${pkg}); .ci/run installs it`,
  }
}

/** OpenSSH's server, used by interop tests as a real SFTP destination. */
export function hasSshd(): SystemCheck {
  const found = findProgram(['/usr/sbin/sshd'], 'openssh-server')
  if (!found.ok) return found
  try {
    execFileSync(found.path!, ['-V'], { stdio: 'pipe' })
  } catch (err) {
    // `sshd -V` prints its version on stderr and exits 0 on OpenSSH 9; anything else is broken.
    const status = (err as { status?: number }).status
    if (status !== 0 && status !== 1) return { ok: false, path: null, reason: `sshd did not run: ${String(err)}` }
  }
  return found
}

/** OpenSSH's `sftp` client and `ssh-keygen`, used to drive servers the way users do. */
export function hasSftpClient(): SystemCheck {
  const sftp = findProgram(['/usr/bin/sftp'], 'openssh-client')
  if (!sftp.ok) return sftp
  const keygen = findProgram(['/usr/bin/ssh-keygen'], 'openssh-client')
  return keygen.ok ? sftp : keygen
}

/** `ssh-keygen` alone (key interop tests need no sftp). */
export function hasSshKeygen(): SystemCheck {
  return findProgram(['/usr/bin/ssh-keygen'], 'openssh-client')
}

/** PuTTY's `puttygen`, which makes the PPK and ssh.com key fixtures users bring from Windows. */
export function hasPuttygen(): SystemCheck {
  return findProgram(['/usr/bin/puttygen'], 'putty-tools')
}

/** SoX, which writes the real recordings (FLAC, Ogg, MP3, encoded WAVs) some tests check. */
export function hasSox(): SystemCheck {
  return findProgram(['/usr/bin/sox'], 'sox')
}

/** Debian's Chromium, driven by playwright-core in the end-to-end tests. */
export function hasChromium(): SystemCheck {
  return findProgram(['/usr/bin/chromium', '/usr/bin/chromium-browser'], 'chromium')
}

/**
 * Returns true when the suite must be skipped, and prints why, so a skip is never silent.
 * Meant for `describe.skipIf(skipWithReason(check, 'suite name'))`.
 */
export function skipWithReason(check: SystemCheck, suite: string): boolean {
  if (check.ok) return false
  console.warn(`SKIPPED ${suite}: ${check.reason ?? 'requirement missing'}`)
  return true
}
