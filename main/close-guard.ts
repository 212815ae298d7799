/**
 * Closing the window, or quitting, while an upload runs (issue 10): the user chooses between
 * keeping the upload going with the window hidden in the system tray, and pausing it and
 * quitting (the journal is complete, so the next start offers to finish the batch and nothing
 * already on the server is sent again). Closing with nothing running just closes. The desktop
 * is behind `CloseShell`, so the rules are tested without Electron; electron-main.ts binds it
 * to dialog.showMessageBoxSync, Tray and the window.
 */

export type CloseChoice = 'tray' | 'pause-and-quit' | 'stay'

export interface CloseQuestion {
  message: string
  detail: string
  /** In the order the dialog shows them; `choices[i]` is what button i means. */
  buttons: string[]
  choices: CloseChoice[]
  /** The button for Enter and for Escape / the dialog's own close. */
  defaultIndex: number
  cancelIndex: number
}

export interface CloseShell {
  runningUploads(): number
  /** Shows the question (a native, modal message box) and returns the button pressed. */
  ask(question: CloseQuestion): number
  /** Hides the window and puts the app's icon in the tray (a click on it shows the window). */
  hideToTray(): void
}

/** The question for `running` uploads; `trayWorks` is false where the desktop has no tray. */
export function closeQuestion(running: number, trayWorks: boolean): CloseQuestion {
  const keep = trayWorks ? 'Keep uploading in the tray' : 'Keep uploading (hide the window)'
  return {
    message: running === 1 ? 'An upload is still running.' : `${running} uploads are still running.`,
    detail: (trayWorks
      ? 'Keep uploading: the window closes and the upload goes on; the app’s icon in the tray shows it again, and a notification says when it is done. '
      : 'Keep uploading: the window hides and the upload goes on; a notification says when it is done. ')
      + 'Pause and quit: the upload stops cleanly, and the next time the app starts it offers to finish it. Files already sent are not sent again.',
    buttons: [keep, 'Pause and quit', 'Cancel'],
    choices: ['tray', 'pause-and-quit', 'stay'],
    defaultIndex: 0,
    cancelIndex: 2,
  }
}

export class CloseGuard {
  /** The user chose to quit (or nothing was running): later close and quit events pass. */
  private quitting = false

  constructor(private readonly shell: CloseShell, private readonly trayWorks: boolean) {}

  /** The window's close button: true when the window may close. */
  windowClosing(): boolean {
    // Nothing running: the window just closes (on macOS the app stays, and asks again next time).
    if (!this.quitting && this.shell.runningUploads() === 0) return true
    return this.decide()
  }

  /** Quit from the menu, the tray or the OS: true when the app may quit now. */
  appQuitting(): boolean {
    return this.decide()
  }

  /** "Pause and quit" from the tray's menu: the user has already said what they want. */
  quitFromTray(): void {
    this.quitting = true
  }

  get quitConfirmed(): boolean {
    return this.quitting
  }

  private decide(): boolean {
    if (this.quitting) return true
    const running = this.shell.runningUploads()
    if (running === 0) {
      this.quitting = true
      return true
    }
    const question = closeQuestion(running, this.trayWorks)
    const choice = question.choices[this.shell.ask(question)] ?? 'stay'
    if (choice === 'pause-and-quit') {
      this.quitting = true
      return true
    }
    if (choice === 'tray') this.shell.hideToTray()
    return false
  }
}

/** The tray icon's tooltip while hidden: how far the uploads are, in words. */
export function trayTooltip(running: number, percent: number | null): string {
  if (running === 0) return 'Bulk Upload: no upload running'
  const where = percent === null ? 'uploading' : `${percent}% sent`
  return running === 1 ? `Bulk Upload: ${where}` : `Bulk Upload: ${running} uploads, ${where}`
}
