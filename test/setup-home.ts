/**
 * Every test file gets its own app home (BULK_UPLOAD_HOME): the delivery ledger, layouts,
 * keys and known hosts of one file's tests never meet another's, nor the user's own.
 * A test that needs a home of its own still sets one.
 */
import { mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

process.env.BULK_UPLOAD_HOME = mkdtempSync(path.join(os.tmpdir(), 'bu-home-'))
