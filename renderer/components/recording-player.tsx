/**
 * The one recording player of a screen (Review's rows to send, the mapping preview): a play
 * button per row asks the host for the recording's URL (`mediaUrl`, which serves only the
 * batch's own files) and the single player above the table plays it, one at a time.
 */
import { useCallback, useMemo, useState, type KeyboardEvent } from 'react'
import Box from '@mui/material/Box'
import IconButton from '@mui/material/IconButton'
import Typography from '@mui/material/Typography'
import PlayArrowIcon from '@mui/icons-material/PlayArrow'
import type { AppErrorPayload } from '../../src/api'
import { useApi } from '../api-context'
import { asPayload } from './error-alert'

/** What the player says it plays: the row and the facts a user checks against the call. */
export interface PlayableRow {
  row: number
  reference: string
  agent: string
  file: string
  media: string
}

export function useRecordingPlayer(onError: (error: AppErrorPayload | null) => void) {
  const api = useApi()
  const [playing, setPlaying] = useState<{ row: PlayableRow; url: string } | null>(null)
  const canPlay = typeof api.mediaUrl === 'function'
  const play = useCallback(async (row: PlayableRow) => {
    onError(null)
    try {
      const r = await api.mediaUrl!(row.media)
      if (r.ok) setPlaying({ row, url: r.value })
      else onError(r.error)
    } catch (e) { onError(asPayload(e)) }
  }, [api, onError])
  const stop = useCallback(() => setPlaying(null), [])
  return { canPlay, playing, play, stop }
}

/** Moves focus between a table's play buttons; returns true when the key was one of ours. */
function moveFocus(from: HTMLElement, key: string): boolean {
  if (key !== 'ArrowDown' && key !== 'ArrowUp' && key !== 'Home' && key !== 'End') return false
  const table = from.closest('table')
  if (!table) return false
  const buttons = [...table.querySelectorAll<HTMLElement>('[data-play-index]')].sort((a, b) => Number(a.dataset.playIndex) - Number(b.dataset.playIndex))
  const at = buttons.indexOf(from)
  const next = key === 'Home' ? buttons[0] : key === 'End' ? buttons.at(-1) : buttons[at + (key === 'ArrowDown' ? 1 : -1)]
  if (next && next !== from) {
    next.focus()
    next.scrollIntoView?.({ block: 'nearest' })
  }
  return true
}

/**
 * One Tab stop for all the play buttons of a table (a roving tabindex, as in a grid): a preview
 * of 50 rows would otherwise put 50 buttons between the fields above it and those below. Tab
 * reaches the current row's button and the next Tab leaves the table; Up and Down (Home, End)
 * move between rows. `first` is the position of the first row that has a button.
 */
export function usePlayFocus(first: number | null) {
  const [current, setCurrent] = useState<number | null>(null)
  const stop = current ?? first
  return useMemo(() => ({
    tabIndexFor: (index: number) => (index === stop ? 0 : -1),
    onFocusAt: (index: number) => setCurrent(index),
  }), [stop])
}

/** A row's play button: its accessible name carries the row's reference and agent. */
export function PlayButton({ row, playing, onPlay, index, focus }: {
  row: PlayableRow
  playing: boolean
  onPlay: (row: PlayableRow) => void
  /** The row's position in its table, with the table's `usePlayFocus`: one Tab stop for every button. */
  index?: number
  focus?: ReturnType<typeof usePlayFocus>
}) {
  const roving = focus && index !== undefined
  return (
    <IconButton size="small" aria-label={`Play the recording of ${row.reference}, row ${row.row}, agent ${row.agent}`} onClick={() => onPlay(row)} aria-pressed={playing}
      {...(roving ? {
        tabIndex: focus.tabIndexFor(index),
        'data-play-index': index,
        onFocus: () => focus.onFocusAt(index),
        onKeyDown: (e: KeyboardEvent<HTMLButtonElement>) => { if (moveFocus(e.currentTarget, e.key)) e.preventDefault() },
      } : {})}>
      <PlayArrowIcon fontSize="small" />
    </IconButton>
  )
}

export function RecordingPlayer({ playing }: { playing: { row: PlayableRow; url: string } | null }) {
  if (!playing) return null
  const { row, url } = playing
  return (
    <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, flexWrap: 'wrap', mb: 1 }} role="region" aria-label="Recording player">
      <Typography variant="body2">Playing row {row.row.toLocaleString('en-GB')}: <strong>{row.reference}</strong> · {row.agent} · {row.file}</Typography>
      <audio controls autoPlay src={url} data-testid="recording-player" aria-label={`Recording of ${row.reference}, agent ${row.agent}`} style={{ flex: '1 1 20rem' }} />
    </Box>
  )
}
