/**
 * The notification a finished or stopped batch gets, in one place for the desktop app (an OS
 * notification from the main process) and the browser (a web Notification from the page).
 * Null where nothing needs saying: a batch still running, or one the user cancelled.
 */
import type { UploadEvent } from './api'

export interface UploadNotice {
  title: string
  body: string
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`

/** `destination` names where the batch went, when known. */
export function uploadNotice(event: UploadEvent, destination: string | null): UploadNotice | null {
  const to = destination ? ` to ${destination}` : ''
  if (event.kind === 'batch-done') {
    const s = event.summary
    if (s.csv === null && s.failed === 0) return { title: 'Nothing new to send', body: `Every row of the batch had already been delivered${to}.` }
    if (s.failed > 0) return { title: 'Upload finished with problems', body: `${plural(s.uploaded, 'recording')} sent${to}; ${plural(s.failed, 'file')} could not be sent. Open the app to see which.` }
    return { title: 'Upload finished', body: `${plural(s.uploaded + s.skipped, 'recording')} and the CSV are on the server${to}.` }
  }
  // A cancel is the user's own doing: no need to tell them.
  if (event.kind === 'batch-failed' && event.error.code !== 'CANCELLED') return { title: 'Upload stopped', body: event.error.message }
  return null
}
