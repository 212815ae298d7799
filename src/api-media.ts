/**
 * Playing recordings before the check (src/api.ts re-exports it): the mapping preview's rows
 * whose mapped file matches a recording of the batch, so the user hears that the column they
 * chose as Audio filename (or the references, without one) names the right calls. Only types.
 */
import type { Result } from './api'
import type { BatchSpec } from './api-batch'

/** A preview row with its recording: what the player shows and plays (through `mediaUrl`). */
export interface PreviewRecording {
  /** 1-based data row of the preview (CsvPreview.rows[row - 1]). */
  row: number
  reference: string
  agent: string
  /** The recording's file name, as it goes to the server. */
  file: string
  /** A handle for `mediaUrl`, served until the next preview match. */
  media: string
}

export interface PreviewMediaApi {
  /** The preview rows of the batch's CSV whose mapped recording is in its folders. */
  matchPreviewRecordings(spec: Pick<BatchSpec, 'paths' | 'csvPath' | 'mapping'>): Promise<Result<PreviewRecording[]>>
}
