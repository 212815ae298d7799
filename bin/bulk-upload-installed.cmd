@echo off
rem The installed desktop app: the `bulk-upload` command on Windows (electron-builder.yml packs it
rem as resources\bin\bulk-upload.cmd and the installer adds that folder to the PATH of the user). An
rem installed app has no node, so this runs the binary of the app as Node (ELECTRON_RUN_AS_NODE)
rem on the compiled CLI inside app.asar: no window opens, and Task Scheduler can run it.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
set "BULK_UPLOAD_LAUNCHER=%~f0"
"%~dp0..\..\Bulk Upload.exe" "%~dp0..\app.asar\build\cli\main.js" %*
exit /b %ERRORLEVEL%
