/**
 * Closing the window or quitting during an upload (main/close-guard.ts), behind a recording
 * stand-in for the desktop: the question asked, and what each answer does.
 */
import { describe, expect, it } from 'vitest'
import { CloseGuard, closeQuestion, trayTooltip, type CloseQuestion, type CloseShell } from '../../../main/close-guard'

function desktop(running: number, answer: string | null) {
  const asked: CloseQuestion[] = []
  let hidden = 0
  const shell: CloseShell = {
    runningUploads: () => running,
    ask: (q) => {
      asked.push(q)
      // The user presses the button with this label (null: closes the dialog itself, i.e. cancel).
      return answer === null ? q.cancelIndex : q.buttons.indexOf(answer)
    },
    hideToTray: () => { hidden++ },
  }
  return { shell, asked, hidden: () => hidden, setRunning: (n: number) => { running = n } }
}

describe('closing during an upload', () => {
  it('closes without asking when nothing uploads, and asks again next time (macOS keeps the app)', () => {
    const d = desktop(0, null)
    const guard = new CloseGuard(d.shell, true)
    expect(guard.windowClosing()).toBe(true)
    expect(d.asked).toEqual([])
    d.setRunning(1)
    expect(guard.windowClosing()).toBe(false)
    expect(d.asked).toHaveLength(1)
  })

  it('keeps uploading in the tray: the window stays (hidden), the app does not quit', () => {
    const d = desktop(2, 'Keep uploading in the tray')
    const guard = new CloseGuard(d.shell, true)
    expect(guard.windowClosing()).toBe(false)
    expect(d.hidden()).toBe(1)
    expect(d.asked[0]!.message).toBe('2 uploads are still running.')
    expect(guard.quitConfirmed).toBe(false)
  })

  it('pause and quit lets the window close and the quit that follows pass without a second question', () => {
    const d = desktop(1, 'Pause and quit')
    const guard = new CloseGuard(d.shell, true)
    expect(guard.windowClosing()).toBe(true)
    expect(guard.appQuitting()).toBe(true)
    expect(d.asked).toHaveLength(1)
    expect(d.hidden()).toBe(0)
  })

  it('Cancel (or Escape) keeps everything as it was', () => {
    const d = desktop(1, null)
    const guard = new CloseGuard(d.shell, true)
    expect(guard.appQuitting()).toBe(false)
    expect(d.hidden()).toBe(0)
    expect(guard.quitConfirmed).toBe(false)
  })

  it('the tray menu\'s Pause and quit quits without asking', () => {
    const d = desktop(3, null)
    const guard = new CloseGuard(d.shell, true)
    guard.quitFromTray()
    expect(guard.appQuitting()).toBe(true)
    expect(d.asked).toEqual([])
  })

  it('says what each choice does, with Enter keeping the upload and Escape cancelling', () => {
    const q = closeQuestion(1, true)
    expect(q.message).toBe('An upload is still running.')
    expect(q.buttons).toEqual(['Keep uploading in the tray', 'Pause and quit', 'Cancel'])
    expect(q.choices[q.defaultIndex]).toBe('tray')
    expect(q.choices[q.cancelIndex]).toBe('stay')
    expect(q.detail).toMatch(/next time the app starts it offers to finish it\. Files already sent are not sent again\./)
    // Without a tray the window only hides; the button says so.
    expect(closeQuestion(1, false).buttons[0]).toBe('Keep uploading (hide the window)')
  })

  it('the tray tooltip says how far the upload is', () => {
    expect(trayTooltip(1, 37)).toBe('Bulk Upload: 37% sent')
    expect(trayTooltip(2, null)).toBe('Bulk Upload: 2 uploads, uploading')
    expect(trayTooltip(0, null)).toBe('Bulk Upload: no upload running')
  })
})
