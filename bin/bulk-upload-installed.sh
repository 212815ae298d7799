#!/bin/sh
# The installed desktop app's `bulk-upload` command on Linux and macOS (electron-builder.yml
# packs it as resources/bin/bulk-upload; from a clone the command is bin/bulk-upload.js). An
# installed app has no node, so this runs the app's own binary as Node (ELECTRON_RUN_AS_NODE)
# on the compiled CLI inside app.asar: no window, no display needed (cron, systemd, SSH).
# Linux packages link it as /usr/bin/bulk-upload; links are followed to find the app (by hand:
# older macOS has no `readlink -f`).
self=$0
while [ -L "$self" ]; do
  target=$(readlink "$self")
  case $target in
    /*) self=$target ;;
    *) self=$(dirname "$self")/$target ;;
  esac
done
resources=$(cd "$(dirname "$self")/.." && pwd) || exit 2
if [ -x "$resources/../bulk-upload-app" ]; then
  app=$resources/../bulk-upload-app                      # Linux: /opt/Bulk Upload/bulk-upload-app
elif [ -x "$resources/../MacOS/Bulk Upload" ]; then
  app="$resources/../MacOS/Bulk Upload"                  # macOS: Bulk Upload.app/Contents/MacOS
else
  echo "bulk-upload: the Bulk Upload app is not where this command expects it ($resources/..). Reinstall the app." >&2
  exit 2
fi
# The path this command was started by, for the scheduler entries `job show` prints.
case $0 in
  /*) launcher=$0 ;;
  *) launcher=$(cd "$(dirname "$0")" && pwd)/$(basename "$0") ;;
esac
BULK_UPLOAD_LAUNCHER=$launcher ELECTRON_RUN_AS_NODE=1 exec "$app" "$resources/app.asar/build/cli/main.js" "$@"
