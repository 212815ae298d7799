/**
 * The large target people drag their folder onto; a click anywhere on it chooses a folder.
 * Keyboard users reach the same action through the "Choose folder…" button inside it (the
 * zone itself is not a second button: nested controls confuse screen readers).
 */
import { useState, type DragEvent, type ReactNode } from 'react'
import Box from '@mui/material/Box'
import Typography from '@mui/material/Typography'
import UploadIcon from '@mui/icons-material/DriveFolderUploadOutlined'

export function DropZone({ onFiles, onActivate, hint, children }: {
  onFiles: (files: File[]) => void
  onActivate: () => void
  hint: string
  children?: ReactNode
}) {
  const [over, setOver] = useState(false)
  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setOver(false)
    onFiles(Array.from(e.dataTransfer.files))
  }
  return (
    <Box
      role="group"
      aria-label="Drop zone for a folder of recordings and its CSV"
      onClick={onActivate}
      onDragOver={(e) => { e.preventDefault(); setOver(true) }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      sx={(t) => ({
        border: `2px dashed ${over ? t.palette.primary.main : t.palette.divider}`,
        bgcolor: over ? `color-mix(in srgb, ${t.palette.primary.main} 10%, transparent)` : 'background.paper',
        borderRadius: 3,
        minHeight: 220,
        p: 4,
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
        gap: 1.5,
        textAlign: 'center',
        cursor: 'pointer',
        transition: 'border-color 120ms, background-color 120ms',
      })}
    >
      <UploadIcon sx={{ fontSize: 56 }} color="primary" aria-hidden />
      <Typography variant="h2" component="p">Drop the folder with your recordings and CSV</Typography>
      <Typography color="text.secondary">{hint}</Typography>
      {children}
    </Box>
  )
}
