#!/usr/bin/env bash
# Real-VS-Code e2e tests of Compare Token Substitution (beside run-e2e.sh, same setup): packages
# and installs the extension into its own code-server (PORT, default 8093), then runs
#   (a) test/e2e/patching.ui.e2e.mjs: palette → QuickPicks → both heatmaps → a head's patterns;
#   (b) test/e2e/host/patching.test.ts in the extension host: identical prompts, token-count
#       mismatch, both directions exact, cancel mid-sweep, document edited mid-run.
# Env: CI_CACHE (default /tmp/ci-e2e), ART (default .tmp/screenshots), PORT, E2E_MODEL, SKIP_UI, SKIP_HOST,
# ALL_HOST_TESTS=1 (run every test/e2e/host suite, to check they get on together).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CI_CACHE=${CI_CACHE:-/tmp/ci-e2e}
RUN="$ROOT/.tmp/e2e-patching"
export ART=${ART:-$ROOT/.tmp/screenshots}
PORT=${PORT:-8093}
T0=$(date +%s)
# shellcheck source=setup-code-server.sh
source "$ROOT/test/e2e/setup-code-server.sh"
cd "$ROOT"

log "package the extension (.vsix, linux-x64)"
npm run -s package >"$CI_CACHE/package-patching.log" 2>&1 || { tail -30 "$CI_CACHE/package-patching.log"; exit 1; }
VSIX="$ROOT/circuit-inspector-linux-x64.vsix"
if [ -n "${E2E_MODEL:-}" ]; then MODEL_DIR=$E2E_MODEL
elif [ -f "$ROOT/models/gpt2-python-mini/model.safetensors" ]; then MODEL_DIR=""
else MODEL_DIR="$ROOT/test/golden/checkpoints/f32-bare"; fi
log "model: ${MODEL_DIR:-shipped (models/gpt2-python-mini)}"

rm -rf "$RUN" && mkdir -p "$RUN/ws/.vscode" "$ART"
cp "$ROOT/samples/docstring_example.py" "$RUN/ws/"
printf '{ "circuitInspector.model": "%s", "files.autoSave": "off" }\n' "$MODEL_DIR" > "$RUN/ws/.vscode/settings.json"
write_user_settings "$RUN/ud"
CS=("$CS_BIN" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check
    --disable-workspace-trust --disable-getting-started-override --reconnection-grace-time 5
    --user-data-dir "$RUN/ud" --extensions-dir "$RUN/exts" --vscode-option enable-smoke-test-driver)
log "install the .vsix"
"${CS[@]}" --force --install-extension "$VSIX" >"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; exit 1; }

log "bundle the patching extension-host tests"
if [ "${ALL_HOST_TESTS:-}" = 1 ]; then node test/e2e/build-host-tests.mjs "$RUN/host"; else
node --input-type=module - "$RUN/host" <<'JS'
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { join } from 'node:path';
const out = process.argv[2];
const mochaPath = createRequire(join(process.cwd(), 'package.json')).resolve('mocha');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning' };
await build({ ...common, external: ['vscode', 'mocha', mochaPath], entryPoints: ['test/e2e/host/index.ts'], outfile: join(out, 'index.js'), define: { __MOCHA_PATH__: JSON.stringify(mochaPath) } });
await build({ ...common, external: ['vscode', 'mocha'], entryPoints: ['test/e2e/host/patching.test.ts'], outdir: join(out, 'suite') });
JS
fi

log "start code-server on 127.0.0.1:$PORT"
setsid "${CS[@]}" "$RUN/ws" >"$RUN/code-server.log" 2>&1 </dev/null &
CS_PGID=$!
trap 'kill -- -$CS_PGID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done

export CS_URL="http://127.0.0.1:$PORT" WS="$RUN/ws" ROOT MODEL_DIR
rc=0
if [ "${SKIP_UI:-}" != 1 ]; then
  log "UI test"
  node test/e2e/patching.ui.e2e.mjs || rc=1
fi
if [ "${SKIP_HOST:-}" != 1 ]; then
  log "extension-host tests"
  rm -rf "$RUN/ws-host" && cp -r "$RUN/ws" "$RUN/ws-host"
  EXT_DEV="$ROOT" EXT_TESTS="$RUN/host/index.js" WS="$RUN/ws-host" node test/e2e/run-host-tests.mjs || rc=1
fi
log "done rc=$rc in $(( $(date +%s) - T0 )) s; screenshots in $ART; code-server log: $RUN/code-server.log"
exit $rc
