/**
 * Reads one recording's container (headers and frame tables, never the audio itself) with
 * music-metadata and judges it: truncated, unreadable, without samples, or its duration.
 * music-metadata 11, not 12: 12 needs Node 22 and the app supports Node 20.
 */
import { findTruncation, looksLikeMp4, mp3TruncationFromEnds, truncationKind, type TruncationKind } from './container-truncation'
import { formatFromEnds, type ContainerFormat, type RecordingEnds } from './container-heads'
import { DEFAULT_PROBE_LIMITS, parseFileWithin, ProbeLimitError, type ProbeLimits } from './probe-limits'
import { checkSizedContainer, dataShortfall } from './sized-containers'

/** What the container says, or what is wrong with it. */
export type ProbeResult =
  /** `truncation`: judged from the bytes the sniffer read; whether the file was cut still needs that check (a read of its end). */
  | { ok: true; seconds: number; codec: string; truncation?: TruncationKind }
  | { ok: false; code: 'RECORDING_TRUNCATED' | 'RECORDING_UNREADABLE' | 'RECORDING_NO_AUDIO'; detail: string }

/** Containers whose data size the header declares exactly (bytes = duration x bitrate / 8). */
const SIZED_CONTAINERS = new Set(['WAVE', 'AIFF'])

/**
 * Probes `path` (of `size` bytes) within `limits` (probe-limits.ts). A WAV's or AIFF's chunk
 * sizes are checked first, by a bounded walk: music-metadata reads a data chunk longer than
 * the file as a shorter recording, and walks any number of chunks. `duration: false` keeps
 * music-metadata from scanning every MP3 frame: it reads the first frames (and a Xing/VBRI
 * header when there is one).
 */
export async function probeContainer(path: string, size: number, limits: ProbeLimits = DEFAULT_PROBE_LIMITS): Promise<ProbeResult> {
  const sized = await checkSizedContainer(path, size).catch(() => null)
  if (sized !== null) return { ok: false, ...sized }
  let format
  try {
    format = (await parseFileWithin(path, { duration: false, skipCovers: true, skipPostHeaders: true }, limits)).format
  } catch (err) {
    if (err instanceof ProbeLimitError) return { ok: false, code: 'RECORDING_UNREADABLE', detail: err.message }
    // A cut MP4 whose index (moov) was at the end does not parse: its boxes still say it was cut.
    const cut = (await looksLikeMp4(path).catch(() => false)) ? await findTruncation(path, size, 'mp4').catch(() => null) : null
    if (cut !== null) return { ok: false, code: 'RECORDING_TRUNCATED', detail: cut }
    return { ok: false, code: 'RECORDING_UNREADABLE', detail: (err as Error).message }
  }
  const judged = judgeFormat(format, size)
  return judged.ok && judged.truncation ? checkTruncation(path, size, judged) : judged
}

/** The truncation check of MP3, FLAC and MP4 (WAV/AIFF headers declare their size: judged already). */
export async function checkTruncation(path: string, size: number, judged: ProbeResult & { ok: true }): Promise<ProbeResult> {
  const { truncation, ...whole } = judged
  if (!truncation) return judged
  const cut = await findTruncation(path, size, truncation).catch(() => null)
  return cut === null ? whole : { ok: false, code: 'RECORDING_TRUNCATED', detail: cut }
}

/**
 * The same judgement from the bytes the sniffer already read (container-heads.ts), or null
 * when only music-metadata can tell (probeContainer then reads the file).
 */
export function probeFromEnds(ext: string, ends: RecordingEnds): ProbeResult | null {
  const format = formatFromEnds(ext, ends)
  if (format === null) return null
  const judged = judgeFormat(format, ends.size)
  if (!judged.ok || judged.truncation !== 'mp3') return judged
  // Whether an MP3 was cut is mostly told by these same bytes: no second read of the file.
  const cut = mp3TruncationFromEnds(ends)
  if (cut === undefined) return judged
  const { truncation: _settled, ...whole } = judged
  return cut === null ? whole : { ok: false, code: 'RECORDING_TRUNCATED', detail: cut }
}

function judgeFormat(format: ContainerFormat, size: number): ProbeResult {
  const container = format.container
  if (container === undefined) return { ok: false, code: 'RECORDING_UNREADABLE', detail: 'no audio container was found in it' }
  const cut = format.data === undefined ? null : dataShortfall(format.data)
  if (cut !== null) return { ok: false, code: 'RECORDING_TRUNCATED', detail: cut }
  if (format.numberOfSamples === 0 || format.duration === 0) return { ok: false, code: 'RECORDING_NO_AUDIO', detail: `its ${container} header declares no samples` }
  if (format.sampleRate === undefined) return { ok: false, code: 'RECORDING_UNREADABLE', detail: `its ${container} header has no audio format description` }
  // A header with an empty data chunk leaves no duration, as does a header over garbage; only
  // the size tells them apart (every WAV/AIFF header fits in 128 bytes; any audio is larger).
  if (format.duration === undefined && size <= 128) return { ok: false, code: 'RECORDING_NO_AUDIO', detail: `its ${container} header is followed by no samples` }
  if (format.duration === undefined || !Number.isFinite(format.duration)) {
    return { ok: false, code: 'RECORDING_UNREADABLE', detail: `its ${container} header is followed by no readable audio data` }
  }
  if (SIZED_CONTAINERS.has(container) && format.bitrate !== undefined) {
    const declared = (format.duration * format.bitrate) / 8
    // The header itself is not counted in `declared`, so a whole file is always larger.
    if (size < declared) {
      const pct = Math.floor((size / declared) * 100)
      return { ok: false, code: 'RECORDING_TRUNCATED', detail: `its data stops at about ${pct}% of what its header declares (${format.duration.toFixed(1)} s)` }
    }
  }
  const truncation = truncationKind(container)
  return { ok: true, seconds: format.duration, codec: format.codec ?? container, ...(truncation ? { truncation } : {}) }
}
