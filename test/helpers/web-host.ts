/**
 * A real web host for integration tests: the core service behind the WebSocket transport on a
 * free port of 127.0.0.1, a session opened with a one-time code as the page does, and clients
 * that talk to it exactly as the browser's transport does (renderer/transport/ws-client.ts).
 */
import path from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import { WebSocket as NodeWebSocket } from 'ws'
import type { BulkUploadApi } from '../../src/api'
import { CoreService, WEB_HOST_ADAPTER } from '../../main/core-service'
import { startWebServer, type WebServer } from '../../main/web-host/server'
import { createWsApi } from '../../renderer/transport/ws-client'

export interface TestWebHost {
  service: CoreService
  server: WebServer
  /** A client with this session's secret. */
  client(): BulkUploadApi
  close(): Promise<void>
}

/** Starts the host with its data folder at `home`; `dir` holds a stand-in renderer build. */
export async function startTestWebHost(dir: string, home: string): Promise<TestWebHost> {
  const root = path.join(dir, 'renderer-build')
  await mkdir(root, { recursive: true })
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>Bulk upload</title>')
  const service = new CoreService({ home, host: WEB_HOST_ADAPTER })
  const server = await startWebServer({ root, api: service })
  const code = new URL(server.newAddress()).hash.replace(/^#code=/, '')
  const res = await fetch(`http://127.0.0.1:${server.port}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${server.port}` },
    body: JSON.stringify({ code }),
  })
  const { secret } = (await res.json()) as { secret: string }
  return {
    service,
    server,
    client: () => createWsApi({ url: `ws://127.0.0.1:${server.port}/api`, secret, createSocket: (u) => new NodeWebSocket(u) as unknown as WebSocket }),
    async close() {
      await server.close()
      await service.close()
    },
  }
}
