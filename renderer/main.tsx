/**
 * The entry of the production build. The host decides which implementation of the contract
 * the wizard gets: renderer/api.ts picks Electron's preload bridge or the web host's WebSocket
 * client (after the one-time code exchange). A tab without a session gets the page that says
 * how to get a new address, before or after the wizard has shown.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { AppErrorPayload } from '../src/api'
import { App } from './app'
import { connectApi, getPathForFile } from './api'
import { SessionEnded } from './components/session-ended'
import { browserNotices } from './browser-notices'
import { reloadOnNewAddress } from './transport/web-session'

// The web host's pages: a new address pasted into this tab opens a new session (web-session.ts).
if (!window.bulkUpload) reloadOnNewAddress(window)

const root = createRoot(document.getElementById('root')!)
const ended = (error: AppErrorPayload): void => {
  root.render(
    <StrictMode>
      <SessionEnded error={error} />
    </StrictMode>,
  )
}

void connectApi(ended).then((r) => {
  if (!r.ok) return ended(r.error)
  root.render(
    <StrictMode>
      {/* The web host (the one with a connection to watch) notifies from the page; Electron from its main process. */}
      <App api={r.api} pathForFile={getPathForFile()} connection={r.connection} notices={r.connection ? browserNotices(window) : undefined} />
    </StrictMode>,
  )
})
