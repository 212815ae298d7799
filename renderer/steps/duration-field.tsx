/**
 * The optional duration column: not a platform field (it is sent as any other column), but
 * when the CSV states each call's length the check compares it with the recording's own and
 * flags rows whose recording is probably the wrong one (DURATION_MISMATCH).
 */
import Box from '@mui/material/Box'
import FormControl from '@mui/material/FormControl'
import FormHelperText from '@mui/material/FormHelperText'
import InputLabel from '@mui/material/InputLabel'
import MenuItem from '@mui/material/MenuItem'
import Select from '@mui/material/Select'

export function DurationField({ headers, value, onChange }: { headers: string[]; value: string | undefined; onChange: (column: string | undefined) => void }) {
  return (
    <Box sx={{ maxWidth: { sm: '50%', lg: '25%' } }}>
      <FormControl fullWidth>
        <InputLabel id="map-duration-label">Call duration (optional)</InputLabel>
        <Select labelId="map-duration-label" id="map-duration" label="Call duration (optional)" aria-describedby="map-duration-help"
          value={value && headers.includes(value) ? value : ''} onChange={(e) => onChange(e.target.value || undefined)}>
          <MenuItem value=""><em>Do not compare</em></MenuItem>
          {headers.map((h) => <MenuItem key={h} value={h}>{h}</MenuItem>)}
        </Select>
        <FormHelperText id="map-duration-help">Seconds or h:mm:ss; rows whose recording is more than 2 s and 5% longer or shorter are flagged</FormHelperText>
      </FormControl>
    </Box>
  )
}
