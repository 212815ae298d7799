/**
 * The mapping preview's recordings (issue 12): before any check, the preview rows whose mapped
 * file (or, without an audio column, contact reference) matches a recording the scan found,
 * matched as the check will (src/batch/match-recordings.ts). Their handles name the latest
 * match only (`preview<n>.<i>`), and play under the media rule of batch-media.ts: a regular
 * file still inside the batch's folders.
 */
import type { BatchSpec, PreviewRecording } from '../src/api'
import { findColumn, previewCsv, type FolderScan } from '../src/batch'
import { buildRecordingIndex, matchByName, matchByReference, remoteNameOf } from '../src/batch/match-recordings'
import { mediaHandle, playableFile, type MediaFile } from './batch-media'

export class PreviewMedia {
  private id = ''
  private files: string[] = []
  private roots: string[] = []
  private count = 0

  /** Matches the preview rows of `spec.csvPath` against `scan`; earlier handles stop playing. */
  async match(spec: Pick<BatchSpec, 'csvPath' | 'mapping'>, scan: FolderScan): Promise<PreviewRecording[]> {
    const preview = await previewCsv(spec.csvPath)
    const col = (name: string | undefined) => (name ? findColumn(preview.headers, name) : -1)
    const [refAt, agentAt, audioAt] = [col(spec.mapping.contactReference), col(spec.mapping.agentId), col(spec.mapping.audioFilename)]
    const idx = buildRecordingIndex(scan)
    this.id = `preview${++this.count}`
    this.files = []
    this.roots = scan.roots
    const out: PreviewRecording[] = []
    preview.rows.forEach((row, i) => {
      const reference = refAt >= 0 ? (row[refAt] ?? '') : ''
      const value = audioAt >= 0 ? (row[audioAt] ?? '').trim() : ''
      if (audioAt >= 0 ? value === '' : reference.trim() === '') return
      const found = audioAt >= 0 ? matchByName(idx, value) : matchByReference(idx, reference)
      if (found.kind !== 'found') return
      const rec = scan.recordings[found.index]!
      out.push({ row: i + 1, reference, agent: agentAt >= 0 ? (row[agentAt] ?? '') : '', file: remoteNameOf(rec), media: mediaHandle(this.id, this.files.length) })
      this.files.push(rec.path)
    })
    return out
  }

  /** True when `handle` names a preview match (of any generation: a stale one is then refused). */
  static owns(checkId: string): boolean {
    return /^preview\d+$/.test(checkId)
  }

  /** The file of a handle of the latest match, still inside the batch; null otherwise. */
  async file(handle: string): Promise<MediaFile | null> {
    const m = /^(preview\d+)\.(\d{1,9})$/.exec(handle)
    if (m === null || m[1] !== this.id) return null
    const file = this.files[Number(m[2])]
    return file === undefined ? null : playableFile(file, this.roots)
  }
}
