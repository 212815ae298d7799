/**
 * The page title follows a long job ("37% sent · Bulk upload"), so a browser tab or a window
 * in the taskbar shows progress while the user works elsewhere; it goes back when the job's
 * screen closes.
 */
import { useEffect } from 'react'

export function useTabTitle(status: string | null): void {
  useEffect(() => {
    if (status === null) return undefined
    const before = document.title
    document.title = `${status} · Bulk upload`
    return () => {
      document.title = before
    }
  }, [status])
}
