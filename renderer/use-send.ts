/**
 * How an upload starts, so that the user sees what the destination changes before anything
 * goes: the batch is validated again with the destination (rows already delivered there are
 * flagged, the platform's layout compared), and
 * - nothing new left → Done, showing the earlier delivery (no upload is offered);
 * - rows already delivered, or a layout difference → the pre-send dialog asks (data.confirm);
 * - otherwise → the upload starts at once.
 * The choices made there (send delivered rows again, keep or adopt the layout) re-validate.
 */
import { useCallback, useRef } from 'react'
import type { AppErrorPayload, BatchReport, BulkUploadApi } from '../src/api'
import { asPayload } from './components/error-alert'
import type { UploadStore } from './state/upload-store'
import { batchSpec, destinationFields, nothingNew, type SendRequest, type WizardData } from './wizard'

const destinationOf = (req: SendRequest) => destinationFields({ id: req.destinationId, name: req.destinationName, sandbox: !!req.sandbox })

/** True when the destination check found something the user must see before sending. */
export function needsConfirm(report: BatchReport, data: Pick<WizardData, 'layoutChoice' | 'resendDelivered'>): boolean {
  return (report.alreadyDelivered ?? 0) > 0 || (report.counts.LAYOUT_CHANGED ?? 0) > 0 || data.layoutChoice === 'adopt' || agentsToConfirm(report)
}

/**
 * Agents the platform may not know are shown before sending: those not on the destination's
 * list, or, without a list, new ones once the destination has had deliveries (a first batch
 * to a destination would name every agent as new, which says nothing).
 */
export function agentsToConfirm(report: BatchReport): boolean {
  const a = report.agents
  return a !== undefined && (a.code === 'UNKNOWN_AGENT' || (a.code === 'NEW_AGENT' && a.deliveredSize > 0))
}

export interface Sender {
  send: (request: SendRequest) => Promise<AppErrorPayload | null>
  /** Starts the upload with the current choices (the pre-send dialog's "Send"). */
  start: (request: SendRequest) => Promise<AppErrorPayload | null>
  /** Applies a choice (resend, layout) and validates again with it. */
  recheck: (change: Partial<Pick<WizardData, 'resendDelivered' | 'layoutChoice'>>) => Promise<AppErrorPayload | null>
}

/** `starting` runs as the user asks to send, inside their click (the browser's notification permission). */
export function useSend(api: BulkUploadApi, data: WizardData, update: (change: Partial<WizardData>) => void, store: UploadStore, starting?: () => void): Sender {
  // The callbacks outlive a render (a dialog awaits them); they must read the newest choices.
  const current = useRef(data)
  current.current = data

  const start = useCallback(async (req: SendRequest): Promise<AppErrorPayload | null> => {
    starting?.()
    const spec = batchSpec(current.current, req.destinationId)
    if (!spec) return null
    try {
      // A finished or cancelled batch's state must not show on the new one's screen.
      store.reset()
      const r = await api.startUpload(spec, req.destinationId, req.passphrase)
      if (!r.ok) return r.error
      update({
        batchId: r.value.batchId, step: 'upload', summary: null, confirm: null, ...destinationOf(req),
        wantRealDestination: false, resumedBytes: 0, lastStart: { spec, destinationId: req.destinationId, passphrase: req.passphrase },
      })
      return null
    } catch (e) { return asPayload(e) }
  }, [api, store, update, starting])

  const send = useCallback(async (req: SendRequest): Promise<AppErrorPayload | null> => {
    starting?.()
    const data = current.current
    const spec = batchSpec(data, req.destinationId)
    if (!spec) return null
    try {
      const r = await api.validate(spec)
      if (!r.ok) return r.error
      const report = r.value
      update({ report, checkedFor: req.destinationId, ...destinationOf(req) })
      if (nothingNew(report)) { update({ step: 'done', summary: null, batchId: null, confirm: null }); return null }
      // Something blocks the batch at this destination: the Review step says what.
      if (!report.ready) { update({ step: 'review', confirm: null }); return null }
      if (needsConfirm(report, data)) { update({ confirm: req }); return null }
    } catch (e) { return asPayload(e) }
    return start(req)
  }, [api, start, update, starting])

  const recheck = useCallback(async (change: Partial<Pick<WizardData, 'resendDelivered' | 'layoutChoice'>>): Promise<AppErrorPayload | null> => {
    const next = { ...current.current, ...change }
    update(change)
    const spec = batchSpec(next)
    if (!spec) return null
    try {
      const r = await api.validate(spec)
      if (!r.ok) return r.error
      update({ report: r.value })
      return null
    } catch (e) { return asPayload(e) }
  }, [api, update])

  return { send, start, recheck }
}
