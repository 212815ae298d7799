/**
 * The Upload screen with a large batch: how soon the file list shows after the engine
 * announces the batch, then what streaming progress costs the page (long tasks, frame
 * intervals) while the user switches the list's filter and scrolls it, and how far behind
 * the figures are when the stream stops. Browser code: no Node modules.
 */
import type { EngineCommand, EngineEnd } from './engine-worker'
import { domRows, frameWhen, record, sleep, spread, type Spread } from './probe'
import type { ScaleApi } from './scale-api'

const TABLE = 'Files in this batch'

export interface UploadConfig { files: number; seconds: number; filesPerSecond: number; concurrency: number }

export interface UploadResult extends UploadConfig {
  /** From asking the engine (worker) to start until the list shows its first rows. */
  firstRenderMs: number
  /** Longest task while the batch is received, reduced and first drawn. */
  setupLongestTaskMs: number
  stream: {
    events: number
    filesDone: number
    longestTaskMs: number
    longTasks: number
    frames: Spread
    maxDomRows: number
    /** Click on "In progress" until the list shows only the files in flight. */
    filterMs: number
    /** Click on "All files" until the list shows every file again. */
    unfilterMs: number
    /** From the engine's last event until the Files figure shows its count. */
    updateLagMs: number
  }
}

const rowCount = () => Number(document.querySelector(`table[aria-label="${TABLE}"]`)?.getAttribute('aria-rowcount') ?? 1) - 1

function toggle(label: string): HTMLElement {
  const b = [...document.querySelectorAll<HTMLElement>('[aria-label="Which files to show"] button')].find((x) => x.textContent?.startsWith(label))
  if (!b) throw new Error(`Expected a "${label}" toggle, got none.`)
  return b
}

async function timeClick(label: string, done: () => boolean): Promise<number> {
  const t = performance.now()
  toggle(label).click()
  return (await frameWhen(done, 10_000)) - t
}

export async function runUpload(api: ScaleApi, worker: Worker, cfg: UploadConfig): Promise<UploadResult> {
  let end: EngineEnd | null = null
  let endAt = 0
  api.attach(worker, (data) => { if ((data as EngineEnd).control === 'end') { end = data as EngineEnd; endAt = performance.now() } })
  const post = (c: EngineCommand) => worker.postMessage(c)

  const setup = record('upload-setup')
  const t0 = performance.now()
  post({ control: 'start', batchId: 'batch-bench', count: cfg.files })
  const first = await frameWhen(() => domRows(TABLE) > 0)
  await sleep(300)
  const setupRec = setup.stop()

  const rec = record('upload-stream', () => domRows(TABLE))
  const started = performance.now()
  post({ control: 'stream', seconds: cfg.seconds, filesPerSecond: cfg.filesPerSecond, concurrency: cfg.concurrency })
  const at = (s: number) => sleep(Math.max(0, started + s * 1000 - performance.now()))
  const third = cfg.seconds / 3
  await at(third)
  const filterMs = await timeClick('In progress', () => rowCount() <= cfg.concurrency + 1)
  await at(third + 1)
  const unfilterMs = await timeClick('All files', () => rowCount() === cfg.files + 1)
  // Then scroll through the list while it keeps changing, a step every 250 ms.
  const scroller = document.querySelector<HTMLElement>(`[aria-label="${TABLE} (scrollable)"]`)
  for (let k = 1; performance.now() - started < (cfg.seconds - 0.5) * 1000; k++) {
    if (scroller) scroller.scrollTop = ((scroller.scrollHeight - scroller.clientHeight) * (k % 16)) / 16
    await sleep(250)
  }
  await frameWhen(() => end !== null, 30_000)
  const last = end as unknown as EngineEnd
  const figure = `${last.filesDone.toLocaleString('en-GB')} of ${last.filesTotal.toLocaleString('en-GB')}`
  const shown = await frameWhen(() => document.body.textContent?.includes(figure) === true, 10_000)
  await sleep(300)
  const streamRec = rec.stop()

  return {
    ...cfg,
    firstRenderMs: first - t0,
    setupLongestTaskMs: Math.max(0, ...setupRec.longTasks),
    stream: {
      events: last.events,
      filesDone: last.filesDone,
      longestTaskMs: Math.max(0, ...streamRec.longTasks),
      longTasks: streamRec.longTasks.length,
      frames: spread(streamRec.frames),
      maxDomRows: streamRec.sampleMax,
      filterMs,
      unfilterMs,
      updateLagMs: shown - endAt,
    },
  }
}
