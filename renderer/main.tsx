/**
 * The entry of the production build. The host decides which implementation of the contract
 * the wizard gets: renderer/api.ts (the host engineer's) picks Electron's preload bridge or the
 * web host's WebSocket client. Nothing else here, so both hosts share every screen.
 */
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import { getApi, getPathForFile } from './api'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App api={getApi()} pathForFile={getPathForFile()} />
  </StrictMode>,
)
