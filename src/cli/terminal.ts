import { toAppError, type AppError } from '../errors'

/** Terminal output helpers shared by the commands: colours only on a TTY, never with NO_COLOR. */
export const useColour = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
const paint = (code: string) => (s: string): string => (useColour() ? `\x1b[${code}m${s}\x1b[0m` : s)
export const red = paint('31')
export const yellow = paint('33')
export const green = paint('32')
export const bold = paint('1')
export const dim = paint('2')


/** 1536 → "1.5 KiB": sizes people read. */
export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

/** Prints any failure as the sentence a user acts on (details when they add something), never a stack. */
export function printError(err: unknown): AppError {
  const e = toAppError(err)
  process.stderr.write(`${red('Error:')} ${e.message}${e.details && e.details !== e.message ? `\n${e.details}` : ''}\n`)
  return e
}

/** A moment as this computer's local time, unambiguous in every country: `2026-11-29 11:10`. */
export function formatWhen(iso: string): string {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
