/**
 * What happened to a file the user asked for (SaveOutcome/OpenOutcome in src/api.ts): the
 * desktop saved or opened it, or the web host handed it over, and the page starts the
 * browser's download (which never replaces an existing file).
 */
import type { DownloadFile, OpenOutcome, SaveOutcome } from '../src/api'

/** Starts the browser's download of a file the host handed over. */
export function startDownload(file: DownloadFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: `${file.mimeType};charset=utf-8` }))
  const link = document.createElement('a')
  link.href = url
  link.download = file.name
  link.style.display = 'none'
  document.body.appendChild(link)
  link.click()
  link.remove()
  // The download has its own copy once started; the next task is late enough to let the URL go.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * Finishes a save: downloads when the host handed the file over. Returns the sentence to show
 * (`what` names the file, e.g. "The problem list"), or null when the user cancelled the dialog.
 */
export function finishSave(outcome: SaveOutcome, what: string): string | null {
  if (outcome.kind === 'cancelled') return null
  if (outcome.kind === 'saved') return `${what} was saved to ${outcome.path}.`
  startDownload(outcome)
  return `${what} was downloaded as ${outcome.name} (see your browser's downloads).`
}

/** Finishes an open: nothing to do on the desktop; a download in the browser. */
export function finishOpen(outcome: OpenOutcome): void {
  if (outcome.kind === 'download') startDownload(outcome)
}
