import { toAppError, type AppError } from '../errors'
import { ownSequence } from './safe-output'

/**
 * Terminal output helpers shared by the commands: colours only on a TTY, never with NO_COLOR
 * (https://no-color.org: set and not empty). Every sequence is made with `ownSequence`, the
 * only way one reaches the terminal (safe-output.ts escapes any other, such as a file name's).
 */
export const useColour = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR
const paint = (code: string) => (s: string): string => (useColour() ? `${ownSequence(`\x1b[${code}m`)}${s}${ownSequence('\x1b[0m')}` : s)
export const red = paint('31')
export const yellow = paint('33')
export const green = paint('32')
export const bold = paint('1')
export const dim = paint('2')

/** Back to the start of the line, to redraw it (progress on a terminal). */
export const lineStart = (): string => ownSequence('\r')
/** Erases from the cursor to the end of the line. */
export const eraseLine = (): string => ownSequence('\x1b[K')
/** Moves up `lines` lines to the first column and erases everything below: a redraw in place. */
export const eraseAbove = (lines: number): string => ownSequence(`\x1b[${Math.max(1, Math.min(999, Math.floor(lines)))}F\x1b[J`)


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
