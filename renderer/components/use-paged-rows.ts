/**
 * Rows fetched from the core a page at a time as they scroll into a VirtualTable: a
 * million-row batch must never be held whole in the renderer. A new `load` (another check, or
 * another filter) is a new list: the old pages are forgotten and answers still on the way for
 * them are ignored.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AppErrorPayload, Result } from '../../src/api'
import { asPayload } from './error-alert'

export const PAGE_SIZE = 200

export interface PagedRows<T> {
  /** Rows in the list; null until the first page arrives. */
  total: number | null
  /** Row i when its page has arrived. */
  rowAt(i: number): T | undefined
  /** For VirtualTable's onRangeChange: fetches the pages the visible rows fall in. */
  onRange(start: number, end: number): void
}

/** `load` must be memoised (useCallback) on what the list depends on. */
export function usePagedRows<T>(load: (offset: number, limit: number) => Promise<Result<{ total: number; rows: T[] }>>, onError: (error: AppErrorPayload) => void): PagedRows<T> {
  // Pages live in a ref: they are a cache, and the `loaded` counter says when to redraw.
  const pages = useRef(new Map<number, T[]>())
  const pending = useRef(new Set<number>())
  const generation = useRef(0)
  const [total, setTotal] = useState<number | null>(null)
  const [, setLoaded] = useState(0)

  const fetchPage = useCallback(async (page: number) => {
    if (pages.current.has(page) || pending.current.has(page)) return
    const gen = generation.current
    pending.current.add(page)
    try {
      const r = await load(page * PAGE_SIZE, PAGE_SIZE)
      if (gen !== generation.current) return
      if (!r.ok) return onError(r.error)
      pages.current.set(page, r.value.rows)
      setTotal(r.value.total)
      setLoaded((n) => n + 1)
    } catch (e) {
      if (gen === generation.current) onError(asPayload(e))
    } finally {
      if (gen === generation.current) pending.current.delete(page)
    }
  }, [load, onError])

  useEffect(() => {
    generation.current += 1
    pages.current = new Map()
    pending.current = new Set()
    setTotal(null)
    void fetchPage(0)
  }, [fetchPage])

  const onRange = useCallback((start: number, end: number) => {
    for (let p = Math.floor(start / PAGE_SIZE); p <= Math.floor(end / PAGE_SIZE); p++) void fetchPage(p)
  }, [fetchPage])

  const rowAt = (i: number): T | undefined => pages.current.get(Math.floor(i / PAGE_SIZE))?.[i % PAGE_SIZE]
  return { total, rowAt, onRange }
}
