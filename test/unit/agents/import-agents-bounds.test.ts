/**
 * The desktop app imports agent lists through readAgentList directly (no CLI check before it):
 * a device or a folder is refused before anything is read (issue 23, item 3).
 */
import { describe, expect, it } from 'vitest'
import { readAgentList } from '../../../src/agents/import-agents'

describe('readAgentList', () => {
  it.each(['/dev/zero', '/tmp'])('refuses %s at once, naming it', async (file) => {
    await expect(readAgentList(file)).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: `${file} is not an agent list (it is not a regular file). Export the platform's users (or your list) as a CSV file and import that.` })
  })
})
