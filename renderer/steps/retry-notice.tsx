/**
 * While files wait to be sent again, say why and when, in words: "The connection to the
 * server was lost. Next try in 12 s (attempt 3)." rather than "Retrying 16 · 0 bytes/s".
 * The engine schedules the retry; this counts its delay down from when the event arrived.
 */
import { useEffect, useState } from 'react'
import Alert from '@mui/material/Alert'
import AlertTitle from '@mui/material/AlertTitle'
import type { UploadState } from '../state/upload-reducer'
import { formatCount } from '../format'

/** The cause, without the advice that follows it (the app retries by itself; "run it again" is for later). */
function firstSentence(message: string): string {
  return /^.*?[.!?](?=\s|$)/.exec(message)?.[0] ?? message
}

export function RetryNotice({ retry, waiting, paused, cause }: {
  retry: UploadState['lastRetry']
  waiting: number
  paused: boolean
  /** Says why in the batch's own terms (a server that took part of it went quiet); else the error's first sentence. */
  cause?: string | null
}) {
  const [secondsLeft, setSecondsLeft] = useState<number | null>(null)
  useEffect(() => {
    if (!retry) return undefined
    const due = Date.now() + retry.delayMs
    const tick = () => setSecondsLeft(Math.max(0, Math.ceil((due - Date.now()) / 1000)))
    tick()
    const timer = setInterval(tick, 1000)
    return () => clearInterval(timer)
  }, [retry])

  if (!retry || waiting === 0) return null
  const when = paused ? 'It tries again when you resume.' : secondsLeft ? `Next try in ${secondsLeft} s (attempt ${retry.attempt}).` : `Trying again now (attempt ${retry.attempt})…`
  return (
    <Alert severity="warning" role="status">
      <AlertTitle>{formatCount(waiting, 'file')} waiting to be sent again</AlertTitle>
      {cause ?? firstSentence(retry.error.message)} {when} Files already on the server are safe and are not sent twice.
    </Alert>
  )
}
