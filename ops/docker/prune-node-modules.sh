#!/bin/sh
# Removes from a production node_modules what the bot never loads, so the image ships only what
# runs: better-sqlite3's C sources and build leftovers (only the compiled binding is loaded),
# the font files the digest chart does not use (it loads Inter Regular and Bold), TypeScript
# declarations and sources, and source maps. Used by the Dockerfile, and by the test that starts
# the app on production dependencies only, so what is removed here is proven unused.
set -eu
modules=${1:?usage: prune-node-modules.sh NODE_MODULES_DIR}

sqlite="$modules/better-sqlite3"
if [ -d "$sqlite" ]; then
  [ -f "$sqlite/build/Release/better_sqlite3.node" ] || { echo "better-sqlite3 is not built" >&2; exit 1; }
  mv "$sqlite/build/Release/better_sqlite3.node" "$sqlite/better_sqlite3.node.keep"
  rm -rf "$sqlite/build" "$sqlite/deps" "$sqlite/src" "$sqlite/binding.gyp"
  mkdir -p "$sqlite/build/Release"
  mv "$sqlite/better_sqlite3.node.keep" "$sqlite/build/Release/better_sqlite3.node"
fi

inter="$modules/@expo-google-fonts/inter"
if [ -d "$inter" ]; then
  find "$inter" -name '*.ttf' ! -name 'Inter_400Regular.ttf' ! -name 'Inter_700Bold.ttf' -delete
  find "$inter" -mindepth 1 -type d -empty -delete
fi

find "$modules" -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' \) -delete
