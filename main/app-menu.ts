/** The application menu: the platform's standard menus, plus Help → Open logs. */
import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron'
import { mkdir } from 'node:fs/promises'
import { logDir } from './log'

export function buildAppMenu(): Menu {
  const isMac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ type: 'separator' } as MenuItemConstructorOptions, { role: 'toggleDevTools' } as MenuItemConstructorOptions]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'Open Logs Folder',
          click: async () => {
            const dir = logDir()
            await mkdir(dir, { recursive: true, mode: 0o700 })
            await shell.openPath(dir)
          },
        },
        ...(isMac ? [] : [{ role: 'about' } as MenuItemConstructorOptions]),
      ],
    },
  ]
  return Menu.buildFromTemplate(template)
}
