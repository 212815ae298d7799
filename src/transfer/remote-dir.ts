/**
 * The remote folder a destination writes to: a path relative to the login folder (the
 * platform reads its root, so this is only for test servers and shared logins), never
 * absolute and never climbing out with `..`. Checked where a user types it, so a wrong
 * value is a sentence and exit 2 before any connection, not a failed upload.
 */
import { AppError } from '../errors'

const REFUSED = 'The remote folder must be a path inside the login folder, such as `incoming` or `incoming/2026`: no leading `/`, no `..`, no control characters. Leave it out to write to the login folder itself, where the platform reads.'

function refused(value: string): AppError {
  // JSON form: a control character in the value is shown escaped, never sent to the terminal.
  return new AppError('BAD_ARGUMENT', `--remote-dir ${JSON.stringify(value)}`, { message: REFUSED })
}

/**
 * The folder in canonical form (`a/b`, or `''` for the login folder): `.` segments and
 * repeated or trailing slashes dropped. Throws BAD_ARGUMENT for anything else.
 */
export function checkRemoteDir(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.startsWith('/') || value.includes('\\') || /[\x00-\x1f\x7f]/.test(value) || /^[A-Za-z]:/.test(value)) {
    throw refused(value)
  }
  const segments = value.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.includes('..')) throw refused(value)
  return segments.join('/')
}
