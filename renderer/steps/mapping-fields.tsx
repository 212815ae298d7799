/** The four platform fields, each a dropdown of the CSV's columns, pre-filled by suggestion. */
import FormControl from '@mui/material/FormControl'
import FormHelperText from '@mui/material/FormHelperText'
import InputLabel from '@mui/material/InputLabel'
import MenuItem from '@mui/material/MenuItem'
import Select from '@mui/material/Select'
import Box from '@mui/material/Box'
import { FIELD_LABELS, MAPPED_FIELDS, type MappedField } from '../../src/api'
import type { DraftMapping } from '../wizard'

const HELP: Record<MappedField, string> = {
  contactReference: 'Unique conversation id',
  agentId: 'Agent email or id',
  contactDate: 'When the call happened',
  audioFilename: 'Recording file name',
}

export function MappingFields({ headers, mapping, suggested, onChange }: {
  headers: string[]
  mapping: DraftMapping
  suggested: Partial<Record<MappedField, string>>
  onChange: (field: MappedField, column: string | undefined) => void
}) {
  return (
    <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: 'repeat(2, 1fr)', lg: 'repeat(4, 1fr)' } }}>
      {MAPPED_FIELDS.map((field) => {
        const value = mapping[field] ?? ''
        const required = field !== 'audioFilename'
        const missing = required && !value
        const id = `map-${field}`
        return (
          <FormControl key={field} error={missing} fullWidth>
            <InputLabel id={`${id}-label`}>{FIELD_LABELS[field]}{required ? ' *' : ''}</InputLabel>
            <Select
              labelId={`${id}-label`}
              id={id}
              label={`${FIELD_LABELS[field]}${required ? ' *' : ''}`}
              value={headers.includes(value) ? value : ''}
              onChange={(e) => onChange(field, e.target.value || undefined)}
              aria-describedby={`${id}-help`}
            >
              <MenuItem value=""><em>{required ? 'Choose a column' : 'Not in this CSV'}</em></MenuItem>
              {headers.map((h) => <MenuItem key={h} value={h}>{h}</MenuItem>)}
            </Select>
            <FormHelperText id={`${id}-help`}>
              {missing ? 'Required: choose the column' : value && suggested[field] === value ? `${HELP[field]} · suggested` : HELP[field]}
            </FormHelperText>
          </FormControl>
        )
      })}
    </Box>
  )
}
