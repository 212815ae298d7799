import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import os from 'node:os'
import path from 'node:path'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { resolveStatic } from '../../../main/web-host/static-files'

let dir: string
let root: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bu-static-'))
  root = path.join(dir, 'renderer')
  await mkdir(path.join(root, 'assets'), { recursive: true })
  await writeFile(path.join(root, 'index.html'), '<!doctype html>')
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)')
  await writeFile(path.join(dir, 'secret.txt'), 'secret')
  await symlink(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('resolveStatic', () => {
  it('serves files of the build, / as index.html, with their content type', async () => {
    const index = await resolveStatic(root, '/')
    expect(index).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8' })
    expect(await resolveStatic(root, '/assets/app.js')).toMatchObject({ status: 200, contentType: 'text/javascript; charset=utf-8' })
    expect(await resolveStatic(root, '/assets/missing.js')).toEqual({ status: 404 })
    expect(await resolveStatic(root, '/assets')).toEqual({ status: 404 })
  })

  it('refuses every way out of the build', async () => {
    expect((await resolveStatic(root, '/../secret.txt')).status).toBe(403)
    expect((await resolveStatic(root, '/assets/../../secret.txt')).status).toBe(403)
    expect((await resolveStatic(root, '/%2e%2e/secret.txt')).status).toBe(403)
    expect((await resolveStatic(root, '/assets%2f..%2f..%2fsecret.txt')).status).toBe(403)
    expect((await resolveStatic(root, '/..%5csecret.txt')).status).toBe(400)
    expect((await resolveStatic(root, '/index.html%00.js')).status).toBe(400)
    expect((await resolveStatic(root, '/%E0%A4%A')).status).toBe(400)
    expect((await resolveStatic(root, '/assets/link.txt')).status).toBe(403)
  })
})
