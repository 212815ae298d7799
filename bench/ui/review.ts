/**
 * The Review screen with a large number of flagged rows: how soon the table shows its first
 * rows, then what scrolling all of it costs (a wheel-like scroll, then a drag of the scrollbar
 * to the bottom), then a filter by kind. Browser code: no Node modules.
 */
import { cellText, domRows, frameWhen, longTasksSoFar, nextFrame, phaseMark, record, sleep, spread, type Recording, type Spread } from './probe'

const TABLE = 'Flagged rows'
const loaded = (i: number, column = 0) => { const t = cellText(TABLE, i, column); return t !== null && t !== 'Loading…' }

export interface ScrollFigures {
  longestTaskMs: number
  longTasks: number
  frameMs: Spread
  maxDomRows: number
}

function figures(r: Recording): ScrollFigures {
  return { longestTaskMs: Math.max(0, ...r.longTasks), longTasks: r.longTasks.length, frameMs: spread(r.frames), maxDomRows: r.sampleMax }
}

export interface ReviewResult {
  rows: number
  /** From the start of navigation (performance.timeOrigin): includes loading the bundle. */
  firstRowsSinceNavigationMs: number
  /** From the call to React's render(). */
  firstRowsSinceMountMs: number
  /** Longest task from navigation until the first rows show (bundle evaluation included). */
  loadLongestTaskMs: number
  /** A quick wheel scroll: 600 px (about ten rows) a frame. */
  wheel: ScrollFigures & { frames: number }
  /** The scrollbar dragged to the bottom, one position a frame (each a jump of ~500 rows). */
  drag: ScrollFigures & {
    steps: number
    /** From the last step until the last row shows its values (its page fetched). */
    bottomMs: number
  }
  filter: { label: string; rows: number; ms: number; longestTaskMs: number }
}

export async function runReview(mountedAt: number, rows: number): Promise<ReviewResult> {
  performance.mark(phaseMark('review-load', 'start'))
  const first = await frameWhen(() => loaded(0))
  performance.mark(phaseMark('review-load', 'end'))
  const loadTasks = await longTasksSoFar()
  await sleep(300)

  const scroller = document.querySelector<HTMLElement>(`[aria-label="${TABLE} (scrollable)"]`)
  if (!scroller) throw new Error(`Expected the "${TABLE}" table's scroll region, got none.`)
  const wheelRec = record('review-wheel', () => domRows(TABLE))
  // A quick wheel scroll: about ten 56 px rows a frame for 300 frames.
  const WHEEL_FRAMES = 300
  for (let k = 0; k < WHEEL_FRAMES; k++) { scroller.scrollTop += 600; await nextFrame() }
  await sleep(300)
  const wheel = wheelRec.stop()
  // Then the scrollbar dragged from there to the very bottom, one position a frame.
  const DRAG_STEPS = 200
  const dragRec = record('review-drag', () => domRows(TABLE))
  const from = scroller.scrollTop
  for (let k = 1; k <= DRAG_STEPS; k++) {
    scroller.scrollTop = from + ((scroller.scrollHeight - scroller.clientHeight - from) * k) / DRAG_STEPS
    await nextFrame()
  }
  const lastStep = performance.now()
  const bottom = await frameWhen(() => loaded(rows - 1))
  await sleep(300)
  const drag = dragRec.stop()

  // Filter by one kind of problem: the table starts over with its rows.
  const label = 'Bad date'
  const chip = [...document.querySelectorAll<HTMLElement>('[aria-label="Problems by kind"] [role="button"]')].find((c) => c.textContent?.startsWith(label))
  if (!chip) throw new Error(`Expected a "${label}" chip, got none.`)
  const filterRec = record('review-filter')
  const clicked = performance.now()
  chip.click()
  const shown = await frameWhen(() => {
    const drawn = [...document.querySelectorAll(`table[aria-label="${TABLE}"] tbody tr[aria-rowindex]`)]
    return drawn.length > 0 && drawn.every((r) => r.children[2]?.textContent === label)
  })
  await sleep(300)
  const filter = filterRec.stop()
  const filtered = Number(document.querySelector(`table[aria-label="${TABLE}"]`)?.getAttribute('aria-rowcount') ?? 1) - 1

  return {
    rows,
    firstRowsSinceNavigationMs: first,
    firstRowsSinceMountMs: first - mountedAt,
    loadLongestTaskMs: Math.max(0, ...loadTasks),
    wheel: { ...figures(wheel), frames: WHEEL_FRAMES },
    drag: { ...figures(drag), steps: DRAG_STEPS, bottomMs: bottom - lastStep },
    filter: { label, rows: filtered, ms: shown - clicked, longestTaskMs: Math.max(0, ...filter.longTasks) },
  }
}
