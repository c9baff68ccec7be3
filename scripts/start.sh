#!/usr/bin/env bash
# npm start: build, package the .vsix and serve it in a local VS Code (code-server) on 127.0.0.1.
#   npm start                 quiet: what it is doing, then the URL
#   npm start -- --verbose    also the bundle list, the .vsix file tree and code-server's install output
# The script ends by exec'ing scripts/vscode-host.sh, so Ctrl-C / SIGINT / SIGTERM sent to `npm start` reach the
# process that owns code-server, which stops it and its children.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VERBOSE=0
for a in "$@"; do
  case "$a" in
    -v|--verbose) VERBOSE=1 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "npm start: unknown option '$a' (try --verbose)" >&2; exit 2 ;;
  esac
done
export BREAKGLASS_VERBOSE=$VERBOSE
if [ "$VERBOSE" = 1 ]; then
  node esbuild.js --production
  npm run --silent package
else
  echo "[start] building Break Glass…"
  node esbuild.js --production --quiet
  out=$(npm run --silent package 2>&1) || { echo "$out" >&2; echo "[start] packaging failed (above)" >&2; exit 1; }
  printf '%s\n' "$out" | grep -E 'Packaged:' | sed 's/^.*Packaged: /[start] packaged /' || true
fi
exec bash scripts/vscode-host.sh serve
