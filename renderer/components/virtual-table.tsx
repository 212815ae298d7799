/**
 * A real <table> that renders only the rows in view, with spacer rows above and below.
 * Batches reach a million CSV rows and 100,000 files; rendering them all would freeze the
 * window. Keeping table semantics (rather than absolutely positioned divs) lets screen
 * readers announce headers for each cell.
 */
import { memo, useEffect, useRef, type ReactNode } from 'react'
import { useVirtualizer } from '@tanstack/react-virtual'
import Box from '@mui/material/Box'
import type { SxProps, Theme } from '@mui/material/styles'

export interface Column {
  key: string
  header: ReactNode
  /** CSS width, e.g. '8rem'; the last column without a width takes the rest. */
  width?: string
  align?: 'left' | 'right'
  highlight?: boolean
  /** Long text (a sentence) wraps onto two lines instead of being cut to one. */
  wrap?: boolean
}

export function VirtualTable({ columns, rowCount, renderRow, rowHeight = 40, height = 420, ariaLabel, onRangeChange, onOverflowX, empty, sx, layout = 'fixed', minWidth }: {
  columns: Column[]
  /**
   * 'fixed': the given column widths (steady while scrolling, for long lists). 'auto': columns
   * sized to their content, for the CSV preview whose columns are unknown in advance.
   */
  layout?: 'fixed' | 'auto'
  rowCount: number
  /** The cells of row i, or null while it is still loading. */
  renderRow: (i: number) => ReactNode[] | null
  rowHeight?: number
  height?: number | string
  ariaLabel: string
  /** Told which rows are in view, so pages can be fetched on demand. */
  onRangeChange?: (start: number, end: number) => void
  empty?: ReactNode
  /** Called with whether the table is wider than its box (and again when that changes). */
  onOverflowX?: (overflows: boolean) => void
  sx?: SxProps<Theme>
  /** 'fixed' layout: below this width the table scrolls sideways rather than squeeze its widthless column to nothing. */
  minWidth?: string
}) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const v = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    initialRect: { width: 800, height: typeof height === 'number' ? height : 420 },
  })
  // Tell the caller whether the columns overflow sideways (it says "scroll sideways" only then).
  useEffect(() => {
    const el = scrollRef.current
    if (!el || !onOverflowX || typeof ResizeObserver === 'undefined') return undefined
    const check = () => onOverflowX(el.scrollWidth > el.clientWidth + 1)
    const observer = new ResizeObserver(check)
    observer.observe(el)
    if (el.firstElementChild) observer.observe(el.firstElementChild)
    check()
    return () => observer.disconnect()
  }, [onOverflowX])
  const items = v.getVirtualItems()
  const first = items[0]?.index ?? 0
  const last = items[items.length - 1]?.index ?? -1
  useEffect(() => { if (last >= first) onRangeChange?.(first, last) }, [first, last, onRangeChange])

  const top = items[0]?.start ?? 0
  const bottom = v.getTotalSize() - (items[items.length - 1]?.end ?? 0)
  return (
    <Box
      ref={scrollRef}
      tabIndex={0}
      role="region"
      aria-label={`${ariaLabel} (scrollable)`}
      sx={[{
        height, overflow: 'auto', border: 1, borderColor: 'divider', borderRadius: 2, bgcolor: 'background.paper',
        '&:focus-visible': { outline: '3px solid', outlineColor: 'primary.main' },
      }, ...(Array.isArray(sx) ? sx : [sx])]}
    >
      <Box component="table" aria-label={ariaLabel} aria-rowcount={rowCount + 1}
        sx={{ width: layout === 'fixed' ? '100%' : 'max-content', minWidth: minWidth ? `max(100%, ${minWidth})` : '100%', borderCollapse: 'separate', borderSpacing: 0, tableLayout: layout, fontSize: '0.875rem' }}>
        <colgroup>{columns.map((c) => <col key={c.key} style={c.width ? { width: c.width } : undefined} />)}</colgroup>
        <thead>
          <tr>
            {columns.map((c) => (
              <Box component="th" key={c.key} scope="col" sx={(t) => ({
                position: 'sticky', top: 0, zIndex: 1, textAlign: c.align ?? 'left', px: 1.5, py: 1,
                fontWeight: 650, borderBottom: `1px solid ${t.palette.divider}`, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', verticalAlign: 'bottom',
                bgcolor: c.highlight ? (t.palette.mode === 'dark' ? '#23395a' : '#dde8fb') : t.palette.background.paper,
              })}>{c.header}</Box>
            ))}
          </tr>
        </thead>
        <tbody>
          {top > 0 && <tr aria-hidden style={{ height: top }} />}
          {items.map((item) => (
            <Row key={item.key} index={item.index} renderRow={renderRow} columns={columns} height={rowHeight} maxWidth={layout === 'auto' ? '18rem' : undefined} />
          ))}
          {bottom > 0 && <tr aria-hidden style={{ height: bottom }} />}
        </tbody>
      </Box>
      {rowCount === 0 && empty && <Box sx={{ p: 3, color: 'text.secondary' }}>{empty}</Box>}
    </Box>
  )
}

// A row asks for its own cells, so while scrolling (same renderRow, same index) memo skips
// it; the caller's renderRow changes identity when the data does, and the rows redraw then.
const Row = memo(function Row({ index, renderRow, columns, height, maxWidth }: { index: number; renderRow: (i: number) => ReactNode[] | null; columns: Column[]; height: number; maxWidth?: string }) {
  const cells = renderRow(index)
  return (
    <Box component="tr" aria-rowindex={index + 2} sx={{ height, '&:nth-of-type(even) td:not(.hl)': { bgcolor: 'action.hover' } }}>
      {columns.map((c, j) => (
        <Box component="td" key={c.key} className={c.highlight ? 'hl' : undefined} sx={(t) => ({
          px: 1.5, py: 0.5, maxWidth, borderBottom: `1px solid ${t.palette.divider}`, overflow: 'hidden', textAlign: c.align ?? 'left',
          ...(c.wrap
            ? { whiteSpace: 'normal', lineHeight: 1.35, '& > *': { display: '-webkit-box', WebkitLineClamp: 2, WebkitBoxOrient: 'vertical', overflow: 'hidden' } }
            : { whiteSpace: 'nowrap', textOverflow: 'ellipsis' }),
          bgcolor: c.highlight ? (t.palette.mode === 'dark' ? '#1b2b44' : '#eef4fe') : undefined,
        })}>
          {cells ? cells[j] : j === 0 ? 'Loading…' : ''}
        </Box>
      ))}
    </Box>
  )
})
