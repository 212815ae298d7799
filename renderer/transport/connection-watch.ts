/**
 * Whether the page can reach its host. Only the web host can be lost (Electron's main process
 * lives and dies with the window), so this sits beside the contract, not in it: the WebSocket
 * client reports into a watch, and the wizard shows the loss and resyncs on return.
 */
import type { ConnectionState } from './ws-client'

export type { ConnectionState }

export interface ConnectionWatch {
  /** Calls `listener` on every change; returns the unsubscribe function. */
  subscribe(listener: (state: ConnectionState) => void): () => void
}

export function createConnectionWatch(): ConnectionWatch & { set(state: ConnectionState): void } {
  const listeners = new Set<(state: ConnectionState) => void>()
  return {
    subscribe(listener) {
      listeners.add(listener)
      return () => {
        listeners.delete(listener)
      }
    },
    set(state) {
      for (const l of [...listeners]) l(state)
    },
  }
}
