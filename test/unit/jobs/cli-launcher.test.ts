/**
 * Which command a scheduler entry starts: the installed app's launcher (resources/bin, or the
 * /usr/bin link of the Linux packages), or node and bin/bulk-upload.js from a clone.
 */
import { describe, expect, it } from 'vitest'
import { cliCommandWords, LAUNCHER_ENV, packagedLauncher } from '../../../src/cli-launcher'
import { cronLine, schtasksCommand, systemdUnits } from '../../../src/jobs/schedulers'
import { defaultCliInvocation, installedLauncher, type RunningApp } from '../../../main/job-from-batch'

const packaged = (over: Partial<RunningApp>): RunningApp => ({ electron: '41.7.1', resourcesPath: '/opt/Bulk Upload/resources', platform: 'linux', env: {}, ...over })

describe('the command a scheduler entry starts', () => {
  it('is node and the script from a clone, the launcher alone where there is one', () => {
    expect(cliCommandWords({ node: '/usr/bin/node', script: '/src/app/bin/bulk-upload.js' }, {})).toEqual(['/usr/bin/node', '/src/app/bin/bulk-upload.js'])
    expect(cliCommandWords({ node: 'node', script: 'x.js', launcher: '/usr/bin/bulk-upload' }, {})).toEqual(['/usr/bin/bulk-upload'])
    // A command started by the launcher (its `job show`) names the launcher, not the app binary.
    expect(cliCommandWords({ node: '/opt/Bulk Upload/bulk-upload-app', script: '/opt/Bulk Upload/resources/app.asar/build/cli/main.js' }, { [LAUNCHER_ENV]: '/usr/bin/bulk-upload' })).toEqual(['/usr/bin/bulk-upload'])
  })

  it('finds the packaged launcher on each system, and none from a clone', () => {
    expect(packagedLauncher('C:\\Users\\qa\\AppData\\Local\\Programs\\bulk-upload\\resources', 'win32')).toBe('C:\\Users\\qa\\AppData\\Local\\Programs\\bulk-upload\\resources\\bin\\bulk-upload.cmd')
    expect(installedLauncher(packaged({ platform: 'darwin', resourcesPath: '/Applications/Bulk Upload.app/Contents/Resources' }))).toBe('/Applications/Bulk Upload.app/Contents/Resources/bin/bulk-upload')
    // deb/rpm: the /usr/bin link when it leads to this app's launcher, else the launcher itself.
    const realpath = (p: string) => (p === '/usr/bin/bulk-upload' ? '/opt/Bulk Upload/resources/bin/bulk-upload' : p)
    expect(installedLauncher(packaged({}), () => true, realpath)).toBe('/usr/bin/bulk-upload')
    expect(installedLauncher(packaged({}), () => false, realpath)).toBe('/opt/Bulk Upload/resources/bin/bulk-upload')
    // An AppImage's files vanish when it exits: README's AppImage steps link ~/.local/bin/bulk-upload.
    expect(installedLauncher(packaged({ env: { APPIMAGE: '/home/qa/Bulk.AppImage', HOME: '/home/qa' } }))).toBe('/home/qa/.local/bin/bulk-upload')
    expect(installedLauncher(packaged({ defaultApp: true }))).toBeNull()
    expect(installedLauncher({ platform: 'linux', env: {} })).toBeNull()
    expect(defaultCliInvocation(['node', '/nowhere/x.js'], '/src/app', { platform: 'linux', env: {} }).launcher).toBeNull()
  })

  it('each scheduler entry runs the launcher, quoted where its path has a space', () => {
    const c = { name: 'nightly', node: 'node', script: 'unused.js', launcher: '/opt/Bulk Upload/resources/bin/bulk-upload', home: null }
    expect(systemdUnits(c)).toContain('ExecStart="/opt/Bulk Upload/resources/bin/bulk-upload" job run nightly')
    expect(cronLine(c)).toContain("* * * '/opt/Bulk Upload/resources/bin/bulk-upload' job run nightly")
    const win = { ...c, launcher: 'C:\\Program Files\\Bulk Upload\\resources\\bin\\bulk-upload.cmd' }
    expect(schtasksCommand(win)).toContain('/TR "\\"C:\\Program Files\\Bulk Upload\\resources\\bin\\bulk-upload.cmd\\" job run nightly"')
    expect(systemdUnits({ ...c, launcher: '/usr/bin/bulk-upload' })).toContain('ExecStart=/usr/bin/bulk-upload job run nightly')
  })
})
