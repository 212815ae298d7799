/**
 * Removing a destination waits behind an Undo: the destination is hidden at once and removed
 * from the app only when the notice goes (its timeout, its close button, or leaving the step),
 * so Undo keeps the same destination, with its delivery history and pinned host key.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { Destination } from '../../src/api'

export interface DeferredRemoval {
  /** The destination hidden and waiting to be removed, if any. */
  pending: Destination | null
  /** Hides `d`; a removal already waiting is carried out first. */
  schedule: (d: Destination) => void
  /** Brings the waiting destination back. */
  undo: () => void
  /** Removes the waiting destination now. */
  commit: () => void
}

export function useDeferredRemoval(remove: (d: Destination) => Promise<void>): DeferredRemoval {
  const [pending, setPending] = useState<Destination | null>(null)
  const current = useRef<Destination | null>(null)
  const removeRef = useRef(remove)
  removeRef.current = remove

  const commit = useCallback(() => {
    const d = current.current
    if (!d) return
    current.current = null
    setPending(null)
    void removeRef.current(d)
  }, [])
  const schedule = useCallback((d: Destination) => {
    commit()
    current.current = d
    setPending(d)
  }, [commit])
  const undo = useCallback(() => {
    current.current = null
    setPending(null)
  }, [])
  // Leaving the step is leaving the notice: the removal the user asked for happens.
  useEffect(() => () => {
    const d = current.current
    current.current = null
    if (d) void removeRef.current(d)
  }, [])
  return { pending, schedule, undo, commit }
}
