/**
 * Remembers the main window's size, position and maximised state between runs, in the app
 * home. A saved position that no longer fits any display (a monitor was unplugged) is dropped.
 */
import path from 'node:path'
import { readJson, writeJson } from './json-file'

export interface WindowState {
  width: number
  height: number
  x?: number
  y?: number
  maximized: boolean
}

export const DEFAULT_WINDOW: Readonly<WindowState> = Object.freeze({ width: 1200, height: 820, maximized: false })
export const MIN_WINDOW = Object.freeze({ width: 880, height: 620 })

interface Rect {
  x: number
  y: number
  width: number
  height: number
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

/** The saved state, fitted to the displays' work areas; the defaults when none fits. */
export async function loadWindowState(home: string, workAreas: Rect[]): Promise<WindowState> {
  const saved = (await readJson(path.join(home, 'window-state.json')).catch(() => undefined)) as Partial<WindowState> | undefined
  if (!saved || !isNum(saved.width) || !isNum(saved.height)) return { ...DEFAULT_WINDOW }
  const state: WindowState = {
    width: Math.max(MIN_WINDOW.width, Math.round(saved.width)),
    height: Math.max(MIN_WINDOW.height, Math.round(saved.height)),
    maximized: saved.maximized === true,
  }
  if (isNum(saved.x) && isNum(saved.y)) {
    const { x, y } = saved
    // Keep the position only when the title bar is on a display.
    const visible = workAreas.some((a) => x + 100 > a.x && x < a.x + a.width - 100 && y >= a.y && y < a.y + a.height - 50)
    if (visible) Object.assign(state, { x: Math.round(x), y: Math.round(y) })
  }
  return state
}

export async function saveWindowState(home: string, state: WindowState): Promise<void> {
  await writeJson(path.join(home, 'window-state.json'), state)
}
