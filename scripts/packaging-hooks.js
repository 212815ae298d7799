#!/usr/bin/env node
/**
 * Writes the installer hooks that put the installed app's `bulk-upload` command on the PATH
 * (run by `npm run dist` before electron-builder; electron-builder.yml names the files):
 * - build/packaging/linux-after-install.tpl and linux-after-remove.tpl (deb and rpm):
 *   electron-builder's own scripts (the desktop app's link, chrome-sandbox, AppArmor), read from
 *   the installed app-builder-lib so they follow its updates, plus /usr/bin/bulk-upload linked
 *   to the launcher (resources/bin/bulk-upload) and removed with the package;
 * - build/packaging/installer.nsh (NSIS): resources\bin added to the user's PATH on install and
 *   taken out on uninstall (not on an update, which installs it again at once).
 * Usage: node scripts/packaging-hooks.js [OUTDIR]   (default build/packaging)
 */
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { mkdir, readFile, writeFile } from 'node:fs/promises'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)

/** Where deb/rpm install the launcher (electron-builder installs the app in /opt/<productName>). */
const LAUNCHER = "/opt/${sanitizedProductName}/resources/bin/bulk-upload"

const LINUX_INSTALL = `
# bulk-upload's command line (bin/bulk-upload-installed.sh): /usr/bin/bulk-upload runs the
# launcher; the desktop app itself is /usr/bin/\${executable}.
ln -sf '${LAUNCHER}' '/usr/bin/bulk-upload'
`

const LINUX_REMOVE = `
# bulk-upload's command line: the link, only while it still points into this package.
if [ "$(readlink '/usr/bin/bulk-upload')" = '${LAUNCHER}' ]; then
    rm -f '/usr/bin/bulk-upload'
fi
`

// NSIS has no substring search: look for ";DIR;" in ";PATH;" one position at a time. A PATH
// longer than NSIS's string limit would be cut short by ReadRegStr and written back damaged, so
// such a PATH is left alone and the installer says where the command is. (%{ stands for NSIS's
// own ${, which a JavaScript template would read as its own.)
const NSIS = String.raw`; bulk-upload's command line: resources\bin (bulk-upload.cmd) on the user's PATH.
!include LogicLib.nsh
!include WinMessages.nsh

!macro bulkUploadFindInPath DIR FOUND
  ; FOUND = position of ";DIR;" in ";$0;" or -1. Uses $1-$5.
  StrCpy $1 ";$0;"
  StrCpy $2 ";%{DIR};"
  StrLen $3 $2
  StrCpy %{FOUND} -1
  StrCpy $4 0
  %{Do}
    StrCpy $5 $1 $3 $4
    %{If} $5 == ""
      %{Break}
    %{EndIf}
    %{If} $5 == $2
      StrCpy %{FOUND} $4
      %{Break}
    %{EndIf}
    IntOp $4 $4 + 1
  %{Loop}
!macroend

!macro customInstall
  ReadRegStr $0 HKCU "Environment" "Path"
  StrLen $6 $0
  IntOp $7 %{NSIS_MAX_STRLEN} - 512
  %{If} $6 > $7
    DetailPrint "Your PATH is too long to change safely: run $INSTDIR\resources\bin\bulk-upload.cmd by its full path."
  %{Else}
    !insertmacro bulkUploadFindInPath "$INSTDIR\resources\bin" $8
    %{If} $8 == -1
      %{If} $0 == ""
        StrCpy $0 "$INSTDIR\resources\bin"
      %{Else}
        StrCpy $0 "$0;$INSTDIR\resources\bin"
      %{EndIf}
      WriteRegExpandStr HKCU "Environment" "Path" $0
      SendMessage %{HWND_BROADCAST} %{WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    %{EndIf}
  %{EndIf}
!macroend

!macro customUnInstall
  %{IfNot} %{isUpdated}
    ReadRegStr $0 HKCU "Environment" "Path"
    StrLen $6 $0
    IntOp $7 %{NSIS_MAX_STRLEN} - 512
    %{If} $6 <= $7
      !insertmacro bulkUploadFindInPath "$INSTDIR\resources\bin" $8
      %{If} $8 != -1
        ; ";$0;" without ";DIR" at $8, then the surrounding ";" taken off again.
        StrCpy $5 $1 $8
        IntOp $8 $8 + $3
        IntOp $8 $8 - 1
        StrCpy $6 $1 "" $8
        StrCpy $0 "$5$6"
        StrCpy $0 $0 "" 1
        StrCpy $0 $0 -1
        WriteRegExpandStr HKCU "Environment" "Path" $0
        SendMessage %{HWND_BROADCAST} %{WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
      %{EndIf}
    %{EndIf}
  %{EndIf}
!macroend
`.replaceAll('%{', '${')

export async function writeHooks(outdir = path.join(ROOT, 'build', 'packaging')) {
  const templates = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates', 'linux')
  await mkdir(outdir, { recursive: true })
  const install = await readFile(path.join(templates, 'after-install.tpl'), 'utf8')
  const remove = await readFile(path.join(templates, 'after-remove.tpl'), 'utf8')
  await writeFile(path.join(outdir, 'linux-after-install.tpl'), install.trimEnd() + '\n' + LINUX_INSTALL)
  await writeFile(path.join(outdir, 'linux-after-remove.tpl'), remove.trimEnd() + '\n' + LINUX_REMOVE)
  await writeFile(path.join(outdir, 'installer.nsh'), NSIS.replace(/\n/g, '\r\n'))
  return outdir
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outdir = await writeHooks(process.argv[2] ? path.resolve(process.argv[2]) : undefined)
  console.log(`Wrote the installers' PATH hooks to ${path.relative(process.cwd(), outdir) || '.'}`)
}
