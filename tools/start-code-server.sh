#!/usr/bin/env bash
# Builds and packages Circuit Inspector, installs it into a local code-server (VS Code in the
# browser, offline) and opens samples/docstring_example.py with the shipped model at
# http://127.0.0.1:8080 (or a free port when 8080 is taken: the script says which). Runs until Ctrl-C.
#
# First run: installs Debian's nodejs/npm (only to fetch Node 24), chromium and build tools if
# missing (as root), then Node 24 + npm 11 from the npm registry and code-server 4.139.1 (compiles
# native modules: ~3 min) into $CI_CACHE, which `npm run test:e2e` shares; later runs reuse them.
# Env: CI_CACHE (default ~/.cache/circuit-inspector), PORT (default 8080, else a free one).
# User data, extensions and logs: .tmp/code-server/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../test/e2e/setup-code-server.sh
source "$ROOT/test/e2e/setup-code-server.sh"
RUN="$ROOT/.tmp/code-server"
mkdir -p "$RUN"
if [ -z "${PORT:-}" ]; then
  PORT=$(pick_port 8080)
  [ "$PORT" = 8080 ] || log "port 8080 is taken: using $PORT (set PORT to choose)"
fi

cd "$ROOT"
if [ ! -d node_modules ]; then log "npm ci"; npm ci --loglevel=error; fi
TARGET=$(host_target)
log "build and package the extension ($TARGET)"
npm run -s package -- "$TARGET" >"$RUN/package.log" 2>&1 || { tail -30 "$RUN/package.log"; exit 1; }
VSIX="$ROOT/circuit-inspector-$TARGET.vsix"

if [ ! -f "$ROOT/models/gpt2-python-mini/model.safetensors" ]; then
  echo "warning: models/gpt2-python-mini has no weights yet; pick another model with 'Circuit Inspector: Select Model'" >&2
fi

UD="$RUN/user-data" EXTS="$RUN/extensions" WS="$ROOT/samples"
[ -f "$UD/User/settings.json" ] || write_user_settings "$UD"
CS=("$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check
    --disable-workspace-trust --disable-getting-started-override
    --user-data-dir "$UD" --extensions-dir "$EXTS")
log "install the extension"
"${CS[@]}" --force --install-extension "$VSIX" >"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; exit 1; }

log "start code-server"
setsid "${CS[@]}" "$WS" >"$RUN/code-server.log" 2>&1 </dev/null &
CS_PGID=$!
stop() { kill -- -"$CS_PGID" 2>/dev/null || true; }   # the whole group: a plain kill leaves a file watcher behind
trap 'echo; log "stopping code-server"; stop; exit 0' INT TERM
trap stop EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { tail -20 "$RUN/code-server.log"; exit 1; }

FILE="$WS/docstring_example.py"
PAYLOAD=$(node -e 'console.log(encodeURIComponent(JSON.stringify([["openFile", process.argv[1]]])))' "vscode-remote://127.0.0.1:$PORT$FILE")
FOLDER=$(node -e 'console.log(encodeURIComponent(process.argv[1]))' "$WS")
cat <<EOF

  Circuit Inspector is running in code-server:

    http://127.0.0.1:$PORT/?folder=$FOLDER&payload=$PAYLOAD

  Select some text in docstring_example.py and run "Circuit Inspector: Inspect Attention"
  (Ctrl+Alt+I, the editor's context menu, or F1). Logs: $RUN/code-server.log and the
  "Circuit Inspector" output channel. Press Ctrl-C to stop.

EOF
wait "$CS_PGID"
