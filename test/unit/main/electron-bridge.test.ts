/**
 * Electron's transport without the Electron binary: `electron` is replaced by a recording fake,
 * so what the preload exposes and what the main process accepts are checked exactly.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdtemp, rm } from 'node:fs/promises'
import { flushLog, setLogHome } from '../../../main/log'
import type { BulkUploadApi, Result } from '../../../src/api'
import { API_CALLS, IPC_EVENT_CHANNEL, ipcChannel, type ElectronBridge } from '../../../src/api-calls'

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as Array<{ channel: string; args: unknown[] }>,
  rendererListeners: new Map<string, Set<(...a: unknown[]) => void>>(),
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>(),
  sent: [] as Array<{ channel: string; payload: unknown }>,
}))

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
  ipcRenderer: {
    invoke: (channel: string, ...args: unknown[]) => {
      fake.invoked.push({ channel, args })
      return Promise.resolve({ ok: true, value: channel })
    },
    on: (channel: string, l: (...a: unknown[]) => void) => {
      const set = fake.rendererListeners.get(channel) ?? new Set()
      set.add(l)
      fake.rendererListeners.set(channel, set)
    },
    removeListener: (channel: string, l: (...a: unknown[]) => void) => fake.rendererListeners.get(channel)?.delete(l),
  },
  webUtils: { getPathForFile: (file: { name: string }) => `/real/${file.name}` },
  ipcMain: {
    handle: (channel: string, h: (event: unknown, ...args: unknown[]) => Promise<unknown>) => fake.handlers.set(channel, h),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
  },
}))

let logHome: string
beforeAll(async () => {
  logHome = await mkdtemp(path.join(os.tmpdir(), 'bu-ipc-'))
  setLogHome(logHome)
})
afterAll(async () => {
  await flushLog()
  await rm(logHome, { recursive: true, force: true })
})

describe('preload', () => {
  it('exposes exactly the contract, one invoke per call on its own channel, plus pathForFile', async () => {
    await import('../../../main/preload')
    const bridge = fake.exposed.get('bulkUpload') as ElectronBridge
    expect([...fake.exposed.keys()]).toEqual(['bulkUpload'])
    expect(Object.keys(bridge).sort()).toEqual([...API_CALLS, 'mediaUrl', 'onUploadEvent', 'pathForFile'].sort())
    await bridge.scan(['/a', '/b'])
    await bridge.getSettings()
    expect(fake.invoked).toEqual([
      { channel: 'bulk-upload:scan', args: [['/a', '/b']] },
      { channel: 'bulk-upload:getSettings', args: [] },
    ])
    expect(bridge.pathForFile({ name: 'calls' } as File)).toBe('/real/calls')
  })

  it('subscriptions return an unsubscribe that removes the IPC listener', async () => {
    await import('../../../main/preload')
    const bridge = fake.exposed.get('bulkUpload') as ElectronBridge
    const got: unknown[] = []
    const off = bridge.onUploadEvent((e) => got.push(e))
    const listeners = fake.rendererListeners.get(IPC_EVENT_CHANNEL)!
    expect(listeners.size).toBe(1)
    for (const l of listeners) l({}, { kind: 'batch-paused', batchId: 'b', paused: true })
    expect(got).toEqual([{ kind: 'batch-paused', batchId: 'b', paused: true }])
    off()
    expect(listeners.size).toBe(0)
  })
})

describe('main-process IPC', () => {
  const ourContents = { id: 1 }
  const window = { isDestroyed: () => false, webContents: { ...ourContents, send: (channel: string, payload: unknown) => fake.sent.push({ channel, payload }) } }
  let emit: (e: unknown) => void = () => undefined
  const api = {
    getSettings: vi.fn(async (): Promise<Result<unknown>> => ({ ok: true, value: { concurrency: 8, retentionDays: 30 } })),
    onUploadEvent: (l: (e: unknown) => void) => {
      emit = l
      return () => {
        emit = () => undefined
      }
    },
  } as unknown as BulkUploadApi

  beforeEach(() => {
    fake.handlers.clear()
    fake.sent.length = 0
  })

  const event = (over: Partial<{ sender: unknown; url: string; parent: unknown }> = {}) => ({
    sender: over.sender ?? window.webContents,
    senderFrame: { url: over.url ?? 'app://bundle/index.html', parent: over.parent ?? null },
  })

  it('registers one handler per call and refuses senders that are not our window and page', async () => {
    const { registerIpc } = await import('../../../main/electron-ipc')
    const unregister = registerIpc(api, () => window as never)
    expect([...fake.handlers.keys()].sort()).toEqual(API_CALLS.map(ipcChannel).sort())
    const handler = fake.handlers.get('bulk-upload:getSettings')!
    expect(await handler(event())).toEqual({ ok: true, value: { concurrency: 8, retentionDays: 30 } })
    for (const bad of [event({ sender: { id: 2 } }), event({ url: 'https://evil.example/' }), event({ url: 'app://bundlex/' }), event({ parent: {} })]) {
      expect(await handler(bad)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } })
    }
    expect(api.getSettings).toHaveBeenCalledTimes(1)
    unregister()
    expect(fake.handlers.size).toBe(0)
  })

  it('validates arguments before the core sees them, and forwards upload events to the window', async () => {
    const { registerIpc } = await import('../../../main/electron-ipc')
    const unregister = registerIpc(api, () => window as never)
    expect(await fake.handlers.get('bulk-upload:scan')!(event(), 'not-an-array')).toMatchObject({ ok: false, error: { code: 'BAD_ARGUMENT' } })
    emit({ kind: 'batch-paused', batchId: 'b', paused: false })
    expect(fake.sent).toEqual([{ channel: IPC_EVENT_CHANNEL, payload: { kind: 'batch-paused', batchId: 'b', paused: false } }])
    unregister()
  })
})
