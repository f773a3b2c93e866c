#!/usr/bin/env bash
# Builds and packages Circuit Inspector, installs it into a local code-server (VS Code in the
# browser, offline) and opens samples/docstring_example.py with the shipped model at
# http://127.0.0.1:8080. Runs until Ctrl-C.
#
# First run: installs Debian's chromium/build tools if missing (as root), Node 24 from the npm
# registry and code-server 4.139.1 (compiles native modules: ~3 min) into $CI_CACHE; later runs
# reuse them. Env: CI_CACHE (default .tmp/code-server-cache), PORT (default 8080).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export CI_CACHE=${CI_CACHE:-$ROOT/.tmp/code-server-cache}
PORT=${PORT:-8080}
# shellcheck source=../test/e2e/setup-code-server.sh
source "$ROOT/test/e2e/setup-code-server.sh"

cd "$ROOT"
if [ ! -d node_modules ]; then log "npm ci"; npm ci --loglevel=error; fi
log "build and package the extension"
npm run -s package >"$CI_CACHE/package.log" 2>&1 || { tail -30 "$CI_CACHE/package.log"; exit 1; }
VSIX="$ROOT/circuit-inspector-linux-x64.vsix"

if [ ! -f "$ROOT/models/gpt2-python-mini/model.safetensors" ]; then
  echo "warning: models/gpt2-python-mini has no weights yet; pick another model with 'Circuit Inspector: Select Model'" >&2
fi

UD="$CI_CACHE/user-data" EXTS="$CI_CACHE/extensions" WS="$ROOT/samples"
[ -f "$UD/User/settings.json" ] || write_user_settings "$UD"
CS=("$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check
    --disable-workspace-trust --disable-getting-started-override
    --user-data-dir "$UD" --extensions-dir "$EXTS")
log "install the extension"
"${CS[@]}" --force --install-extension "$VSIX" >"$CI_CACHE/install.log" 2>&1 || { cat "$CI_CACHE/install.log"; exit 1; }

log "start code-server"
setsid "${CS[@]}" "$WS" >"$CI_CACHE/code-server.log" 2>&1 </dev/null &
CS_PGID=$!
stop() { kill -- -"$CS_PGID" 2>/dev/null || true; }   # the whole group: a plain kill leaves a file watcher behind
trap 'echo; log "stopping code-server"; stop; exit 0' INT TERM
trap stop EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { tail -20 "$CI_CACHE/code-server.log"; exit 1; }

FILE="$WS/docstring_example.py"
PAYLOAD=$(node -e 'console.log(encodeURIComponent(JSON.stringify([["openFile", process.argv[1]]])))' "vscode-remote://127.0.0.1:$PORT$FILE")
FOLDER=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$WS")
cat <<EOF

  Circuit Inspector is running in code-server:

    http://127.0.0.1:$PORT/?folder=$FOLDER&payload=$PAYLOAD

  Select some text in docstring_example.py and run "Circuit Inspector: Inspect Attention"
  (Ctrl+Alt+I, the editor's context menu, or F1). Logs: $CI_CACHE/code-server.log and the
  "Circuit Inspector" output channel. Press Ctrl-C to stop.

EOF
wait "$CS_PGID"
