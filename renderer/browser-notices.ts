/**
 * The browser's equivalent of the desktop app's notifications (issue 10): in the web host, the
 * page asks for permission to notify only when the user starts an upload (never on load), and
 * when a batch it watched finishes or stops while the tab is in the background, it shows a web
 * Notification with the same words as the desktop's (src/api-notice.ts). Electron notifies
 * from its main process instead, so its page gets none of this.
 */
import { uploadNotice, type BulkUploadApi } from '../src/api'

/** The parts of the page's environment used, so tests can stand in for the browser. */
export interface NoticeEnvironment {
  Notification?: {
    readonly permission: NotificationPermission
    requestPermission(): Promise<NotificationPermission>
    new (title: string, options?: NotificationOptions): unknown
  }
  document: { readonly visibilityState: DocumentVisibilityState }
}

export interface BrowserNotices {
  /** Called as an upload starts (inside the user's click): asks once, if the browser has not been told. */
  askPermission(): void
  /** Notifies on the end of batches seen running; returns the unsubscribe. */
  follow(api: BulkUploadApi, destinationName: () => string | null): () => void
}

export function browserNotices(env: NoticeEnvironment): BrowserNotices | undefined {
  const N = env.Notification
  if (!N) return undefined
  let asked = false
  return {
    askPermission() {
      if (asked || N.permission !== 'default') return
      asked = true
      // A refusal is the user's answer: the upload goes on either way.
      void N.requestPermission().catch(() => undefined)
    },
    follow(api, destinationName) {
      const running = new Set<string>()
      return api.onUploadEvent((event) => {
        if (event.kind === 'batch-started' || event.kind === 'batch-progress') { running.add(event.batchId); return }
        // Only a batch seen running, once: a replayed final event after a lost host says nothing new.
        if ((event.kind !== 'batch-done' && event.kind !== 'batch-failed') || !running.delete(event.batchId)) return
        const notice = uploadNotice(event, destinationName())
        // A user looking at the page sees the Done screen; the notice is for one who went elsewhere.
        if (!notice || N.permission !== 'granted' || env.document.visibilityState === 'visible') return
        new N(notice.title, { body: notice.body, tag: event.batchId })
      })
    },
  }
}
