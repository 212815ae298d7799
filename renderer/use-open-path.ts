/**
 * "Open report" and the like: the desktop opens the file; the web host hands it over and the
 * browser downloads it. A failure is kept for the screen's error alert.
 */
import { useCallback, useState } from 'react'
import type { AppErrorPayload } from '../src/api'
import { useApi } from './api-context'
import { asPayload } from './components/error-alert'
import { finishOpen } from './save-outcome'

export function useOpenPath() {
  const api = useApi()
  const [error, setError] = useState<AppErrorPayload | null>(null)
  const open = useCallback(async (path: string) => {
    setError(null)
    try {
      const r = await api.openPath(path)
      if (r.ok) finishOpen(r.value)
      else setError(r.error)
    } catch (e) { setError(asPayload(e)) }
  }, [api])
  const clear = useCallback(() => setError(null), [])
  return { open, error, clear }
}
