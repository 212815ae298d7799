/**
 * One store fed by one subscription to the engine's upload events; React reads it through
 * useSyncExternalStore and selectors (STYLE.md, Uppy), so only what a component selects can
 * make it render again.
 */
import { useCallback, useSyncExternalStore } from 'react'
import type { BulkUploadApi, UploadEvent } from '../../src/api'
import { initialUploadState, uploadReducer, watchBatch, type UploadState } from './upload-reducer'

/**
 * At most this many milliseconds between two notifications. With 100,000 small files the
 * engine can finish hundreds of files a second; redrawing the list for each would freeze the
 * window, and people cannot read faster than about ten updates a second anyway.
 */
export const NOTIFY_INTERVAL_MS = 100

export interface UploadStore {
  getState(): UploadState
  subscribe(listener: () => void): () => void
  /** Applies an event at once; listeners hear about it within NOTIFY_INTERVAL_MS. */
  dispatch(event: UploadEvent): void
  /** When the engine last said anything (ms since the epoch), to notice a silent one. */
  lastEventAt(): number
  /** Forgets the finished batch (when the user starts another one). */
  reset(): void
  /**
   * The batch the upload screen shows: another batch's state is dropped, this one's kept.
   * `floorBytes`: what a resumed batch already has on the server (its progress starts there).
   */
  watch(batchId: string, floorBytes?: number): void
  /**
   * Starts listening to the engine; returns the way to stop. Kept apart from creation so a
   * React effect owns the subscription (StrictMode mounts effects twice in development).
   */
  connect(api: Pick<BulkUploadApi, 'onUploadEvent'>): () => void
}

export function createUploadStore(intervalMs = NOTIFY_INTERVAL_MS): UploadStore {
  let state = initialUploadState
  const listeners = new Set<() => void>()
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastNotified = 0
  let lastEvent = Date.now()

  const notify = () => {
    timer = null
    lastNotified = Date.now()
    for (const l of listeners) l()
  }
  const schedule = (urgent: boolean) => {
    if (urgent) {
      // The end of a batch or a failure changes the screen: no reason to make people wait.
      if (timer) clearTimeout(timer)
      notify()
      return
    }
    if (timer) return
    timer = setTimeout(notify, Math.max(0, lastNotified + intervalMs - Date.now()))
  }

  const dispatch = (event: UploadEvent) => {
    lastEvent = Date.now()
    const next = uploadReducer(state, event)
    if (next === state) return
    state = next
    schedule(event.kind === 'batch-started' || event.kind === 'batch-done' || event.kind === 'batch-failed' || event.kind === 'batch-paused')
  }

  return {
    getState: () => state,
    lastEventAt: () => lastEvent,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    dispatch,
    reset() {
      state = initialUploadState
      schedule(true)
    },
    watch(batchId, floorBytes) {
      const next = watchBatch(state, batchId, floorBytes)
      if (next === state) return
      state = next
      schedule(true)
    },
    connect(api) {
      const unsubscribe = api.onUploadEvent(dispatch)
      return () => {
        unsubscribe()
        if (timer) clearTimeout(timer)
        timer = null
      }
    },
  }
}

/** Reads a slice of the store; the component renders again only when that slice changes. */
export function useUploadState<T>(store: UploadStore, select: (state: UploadState) => T): T {
  const get = useCallback(() => select(store.getState()), [store, select])
  return useSyncExternalStore(store.subscribe, get, get)
}
