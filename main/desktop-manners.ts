/**
 * What a desktop app does during a long upload, driven by the upload events (issue 10): keep
 * the computer awake while anything uploads, show the overall progress on the taskbar or dock
 * icon, and a system notification when a batch finishes or stops (the user is usually in
 * another window by then). The desktop itself is behind `DesktopShell`, so the rules are
 * tested without Electron; electron-main.ts binds it to powerSaveBlocker, setProgressBar and
 * Notification.
 */
import { uploadNotice, type UploadEvent } from '../src/api'

export interface DesktopShell {
  /** Keeps the system from suspending the app; returns a handle for `allowSleep`. */
  preventSleep(): number
  allowSleep(handle: number): void
  /** 0..1 on the taskbar/dock icon; null removes it. `paused` shows it as paused where the OS can. */
  setProgress(fraction: number | null, paused: boolean): void
  notify(title: string, body: string): void
}

interface Running {
  fraction: number
  paused: boolean
}

/** Subscribe the returned function to upload events; `destinationName` names where a batch goes, when known. */
export function desktopManners(shell: DesktopShell, destinationName: (batchId: string) => string | null = () => null): (event: UploadEvent) => void {
  const running = new Map<string, Running>()
  let sleepHandle: number | null = null

  function refresh(): void {
    if (running.size > 0 && sleepHandle === null) sleepHandle = shell.preventSleep()
    if (running.size === 0 && sleepHandle !== null) {
      shell.allowSleep(sleepHandle)
      sleepHandle = null
    }
    if (running.size === 0) return shell.setProgress(null, false)
    // Several batches: the icon shows the least advanced, so it never looks done too early.
    const all = [...running.values()]
    shell.setProgress(Math.min(...all.map((r) => r.fraction)), all.every((r) => r.paused))
  }

  return (event) => {
    switch (event.kind) {
      case 'batch-started':
        running.set(event.batchId, { fraction: 0, paused: false })
        break
      case 'batch-progress': {
        const r = running.get(event.batchId)
        const p = event.progress
        if (r) r.fraction = p.bytesTotal > 0 ? Math.min(1, p.bytesSent / p.bytesTotal) : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 0
        break
      }
      case 'batch-paused': {
        const r = running.get(event.batchId)
        if (r) r.paused = event.paused
        break
      }
      case 'batch-done':
      case 'batch-failed': {
        if (!running.delete(event.batchId)) return
        const notice = uploadNotice(event, destinationName(event.batchId))
        if (notice) shell.notify(notice.title, notice.body)
        break
      }
      default:
        return
    }
    refresh()
  }
}
