/**
 * Test connection, shared by the destination step and the Add/Edit destination dialog: it logs
 * in (key, passphrase, username) and reports that result. An unknown server's key is first shown
 * for the user to compare and trust; trusting it is not logging in, so the test then goes on to
 * the login and only that result is shown.
 */
import { useCallback, useRef, useState } from 'react'
import type { AppErrorPayload, ConnectionCheck, DestinationRef, HostKeyInfo } from '../../src/api'
import { useApi } from '../api-context'
import { asPayload } from '../components/error-alert'

export type TestState =
  | { state: 'idle' | 'testing' }
  | { state: 'ok'; check: ConnectionCheck }
  | { state: 'error'; error: AppErrorPayload }

interface Attempt {
  destination: DestinationRef
  passphrase: string | null
  /** What to do once logged in to a trusted server (e.g. start the upload). */
  then?: () => Promise<void>
}

export interface ConnectionTest {
  result: TestState
  /** An unknown server's key waiting for the user's decision, else null. */
  hostKey: HostKeyInfo | null
  busy: boolean
  /** Logged in and the server is trusted. */
  loggedIn: boolean
  test: (attempt: Attempt) => Promise<void>
  trust: () => Promise<void>
  /** Closes the host-key question without trusting (the test ends unfinished). */
  declineHostKey: () => void
  reset: () => void
}

export function useConnectionTest(): ConnectionTest {
  const api = useApi()
  const [result, setResult] = useState<TestState>({ state: 'idle' })
  const [hostKey, setHostKey] = useState<HostKeyInfo | null>(null)
  const [busy, setBusy] = useState(false)
  const last = useRef<Attempt | null>(null)

  const test = useCallback(async (attempt: Attempt) => {
    last.current = attempt
    setBusy(true)
    setResult({ state: 'testing' })
    try {
      const r = await api.testConnection(attempt.destination, attempt.passphrase)
      if (!r.ok) { setResult({ state: 'error', error: r.error }); return }
      setResult({ state: 'ok', check: r.value })
      if (!r.value.trusted) setHostKey(r.value.hostKey)
      else if (attempt.then) await attempt.then()
    } catch (e) { setResult({ state: 'error', error: asPayload(e) }) } finally { setBusy(false) }
  }, [api])

  const trust = useCallback(async () => {
    const attempt = last.current
    if (!attempt || !hostKey) return
    setBusy(true)
    try {
      const r = await api.trustHost(attempt.destination, hostKey.fingerprint)
      setHostKey(null)
      if (!r.ok) { setResult({ state: 'error', error: r.error }); return }
    } catch (e) { setHostKey(null); setResult({ state: 'error', error: asPayload(e) }); return } finally { setBusy(false) }
    await test(attempt)
  }, [api, hostKey, test])

  const declineHostKey = useCallback(() => { setHostKey(null); setResult({ state: 'idle' }) }, [])
  const reset = useCallback(() => { setHostKey(null); setResult({ state: 'idle' }); last.current = null }, [])
  const loggedIn = result.state === 'ok' && result.check.trusted
  return { result, hostKey, busy, loggedIn, test, trust, declineHostKey, reset }
}
