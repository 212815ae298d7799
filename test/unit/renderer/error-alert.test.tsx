// @vitest-environment jsdom
import { afterEach, expect, it } from 'vitest'
import { cleanup, render, screen } from '@testing-library/react'
import { ErrorAlert } from '../../../renderer/components/error-alert'

afterEach(cleanup)

it('shows the commands a sentence names as code, not with literal backticks', () => {
  render(<ErrorAlert error={{ code: 'SESSION_ENDED', message: 'Press Enter in the window where `bulk-upload serve` runs.', details: 'see `serve --help`' }} />)
  const alert = screen.getByRole('alert')
  expect(alert.textContent).toBe('Press Enter in the window where bulk-upload serve runs.see serve --help')
  expect([...alert.querySelectorAll('code')].map((c) => c.textContent)).toEqual(['bulk-upload serve', 'serve --help'])
})
