#!/usr/bin/env bash
# Real-VS-Code end-to-end tests (npm run test:e2e): code-server 4.139.1 + Debian Chromium +
# playwright-core, offline except the npm registry and apt. Builds and packages the extension
# (.vsix), installs it, opens a fixture workspace with a Python sample, then runs
#   (a) UI tests (test/e2e/ui.e2e.mjs): palette command, webview grid and token strip, decorations,
#       hover, truncation, stale, screenshots into $ART; then test/e2e/patching.ui.e2e.mjs: Compare
#       Token Substitution from the palette to both heatmaps; test/e2e/residual.ui.e2e.mjs: Inspect
#       Residual Stream's three plots, a DLA head painted over the source, three themes;
#       test/e2e/dataset.ui.e2e.mjs: Generate Prompt Set from the sample's docstring, Run Prompt Set,
#       the mean heatmaps, a head's distribution over the pairs, a pair opened as a single comparison;
#   (b) extension-host mocha tests (test/e2e/host/*.test.ts) through extensionTestsPath.
# Env: CI_CACHE (Node 24 + code-server cache, shared with tools/start-code-server.sh, default
# ~/.cache/circuit-inspector), E2E_RUN (user data, workspace, logs; default .tmp/e2e), ART
# (screenshots, default .tmp/screenshots), PORT (default: a free one), E2E_MODEL (model folder;
# default the shipped model when it has weights, else the tiny golden checkpoint), SKIP_UI /
# SKIP_HOST=1, HOST_TESTS=extension,... (extension-host suites by file name; default all of
# test/e2e/host/*.test.ts), UI_TESTS=ui,patching,residual,sae,dataset (UI suites; default all).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUN=${E2E_RUN:-$ROOT/.tmp/e2e}
export ART=${ART:-$ROOT/.tmp/screenshots}
T0=$(date +%s)
# shellcheck source=setup-code-server.sh
source "$ROOT/test/e2e/setup-code-server.sh"
PORT=${PORT:-$(pick_port)}

cd "$ROOT"
[ -d node_modules ] || { log "npm ci"; npm ci --loglevel=error; }

rm -rf "$RUN" && mkdir -p "$RUN/ws/.vscode" "$ART"
TARGET=$(host_target)
log "package the extension (.vsix, $TARGET)"
npm run -s package -- "$TARGET" >"$RUN/package.log" 2>&1 || { tail -30 "$RUN/package.log"; exit 1; }
VSIX="$ROOT/circuit-inspector-$TARGET.vsix"
ls -l "$VSIX"

if [ -n "${E2E_MODEL:-}" ]; then MODEL_DIR=$E2E_MODEL
elif [ -f "$ROOT/models/gpt2-python-mini/model.safetensors" ]; then MODEL_DIR=""   # "" = the shipped model
else MODEL_DIR="$ROOT/test/golden/checkpoints/f32-bare"; fi
log "model: ${MODEL_DIR:-shipped (models/gpt2-python-mini)}"

rm -f "$ART/ui-failure.png" "$ART/patching-ui-failure.png" "$ART/residual-ui-failure.png" "$ART/sae-ui-failure.png" "$ART/dataset-ui-failure.png" "$ART/host-tests-failure.png"   # stale failure shots from an earlier run
cp "$ROOT"/samples/*.py "$RUN/ws/"   # the sample, plus two more files for the workspace scan of Inspect Features
printf '{ "circuitInspector.model": "%s", "files.autoSave": "off" }\n' "$MODEL_DIR" > "$RUN/ws/.vscode/settings.json"
write_user_settings "$RUN/ud"
CS=("$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check
    --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 5
    --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" --vscode-option enable-smoke-test-driver)
log "install the .vsix"
"${CS[@]}" --force --install-extension "$VSIX" >"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; exit 1; }

EXT_INSTALLED=$(ls -d "$RUN/exts"/circuit-inspector.circuit-inspector-*/ | head -1); EXT_INSTALLED=${EXT_INSTALLED%/}
log "bundle the extension-host tests into the installed extension ($EXT_INSTALLED)"
node test/e2e/build-host-tests.mjs "$EXT_INSTALLED/.e2e-host"

log "start code-server on 127.0.0.1:$PORT"
# Downloads go to a Hugging Face cache of this run's own: the tests never read or write the user's.
export HF_HUB_CACHE="$RUN/hf-cache" HF_HOME="$RUN/hf-home"
setsid "${CS[@]}" "$RUN/ws" >"$RUN/code-server.log" 2>&1 </dev/null &
CS_PGID=$!
trap 'kill -- -$CS_PGID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

export CS_URL="http://127.0.0.1:$PORT" WS="$RUN/ws" ROOT MODEL_DIR
rc=0
# UI_TESTS=dataset,sae,... runs only those UI suites (test/e2e/<name>.ui.e2e.mjs); default all.
ui_suite() { [ -z "${UI_TESTS:-}" ] || [[ ",$UI_TESTS," == *",$1,"* ]]; }
if [ "${SKIP_UI:-}" != 1 ]; then
  if ui_suite ui; then log "UI tests"; node test/e2e/ui.e2e.mjs || rc=1; fi
  if ui_suite patching; then log "UI tests: Compare Token Substitution"; node test/e2e/patching.ui.e2e.mjs || rc=1; fi
  if ui_suite residual; then log "UI tests: Inspect Residual Stream"; node test/e2e/residual.ui.e2e.mjs || rc=1; fi
  if ui_suite sae; then log "UI tests: Inspect Features"; node test/e2e/sae.ui.e2e.mjs || rc=1; fi
  if ui_suite dataset; then log "UI tests: Generate and Run Prompt Set"; node test/e2e/dataset.ui.e2e.mjs || rc=1; fi
fi
if [ "${SKIP_HOST:-}" != 1 ]; then
  log "extension-host tests"
  # a fresh copy of the workspace: the UI tests left their editor state behind
  rm -rf "$RUN/ws-host" && cp -r "$RUN/ws" "$RUN/ws-host"
  # the extension under test is the installed .vsix content, not the repository
  EXT_DEV="$EXT_INSTALLED" EXT_TESTS="$EXT_INSTALLED/.e2e-host/index.js" WS="$RUN/ws-host" node test/e2e/run-host-tests.mjs || rc=1
fi
log "done rc=$rc in $(( $(date +%s) - T0 )) s; screenshots in $ART; code-server log: $RUN/code-server.log"
exit $rc
