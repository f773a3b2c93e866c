#!/usr/bin/env bash
# Sourced by test/e2e/run-e2e.sh and tools/start-code-server.sh: Node 24 and npm first on PATH
# (tools/setup-node.sh), Debian's Chromium and build tools, and code-server in $CI_CACHE/cs, once.
# $CI_CACHE (default ~/.cache/circuit-inspector) is shared by both scripts and every checkout.
# Afterwards: $CS_BIN is code-server, and node/npm are Node 24's; `pick_port`, `host_target` and
# `write_user_settings` are defined.
CS_VER=4.139.1
CI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../tools/setup-node.sh
source "$CI_ROOT/tools/setup-node.sh" || return 1 2>/dev/null || exit 1

if ! command -v chromium >/dev/null 2>&1 || ! dpkg -s build-essential libkrb5-dev pkg-config >/dev/null 2>&1; then
  log "apt: chromium and the tools code-server's native modules need"
  if [ "$(id -u)" = 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq chromium build-essential python3 pkg-config libkrb5-dev curl >/dev/null
  else
    echo "please install: chromium build-essential python3 pkg-config libkrb5-dev curl" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
export XDG_CONFIG_HOME="$CI_CACHE/xdg" EXTENSIONS_GALLERY='{}'   # no ~/.config/code-server, no Open VSX calls

CS_BIN="$CI_CACHE/cs/bin/code-server"
cs_ok() { [ -x "$CS_BIN" ] && "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VER"; }
install_code_server() {
  cs_ok && return 0
  log "code-server $CS_VER into $CI_CACHE/cs (its postinstall compiles native modules: ~2-3 min on 2 cores)"
  # Under `npm run`, the outer npm exports its config as npm_config_* (user_agent, and the project's
  # ignore-scripts=true), which the inner npm would read: code-server's postinstall would then see
  # the outer Node's version and refuse, or not run at all. node-gyp gets Node 24's own headers
  # (never a download); only here, since npm 11 warns about nodedir everywhere else.
  (cd "$CI_CACHE" && unset npm_config_user_agent npm_node_execpath npm_execpath NODE npm_config_ignore_scripts \
   && npm_config_nodedir="$CI_CACHE/node24" npm install -g --prefix "$CI_CACHE/cs" --ignore-scripts=false --allow-scripts=code-server --loglevel=error "code-server@$CS_VER")
}
cs_ok || with_cache_lock install_code_server || { echo "could not install code-server $CS_VER into $CI_CACHE/cs" >&2; return 1 2>/dev/null || exit 1; }
export CS_BIN

# A TCP port free on 127.0.0.1 ($1: the one to prefer when free).
pick_port() { node "$CI_ROOT/tools/freePort.mjs" "${1:-}"; }

# This machine's .vsix target (linux-x64, linux-arm64).
host_target() {
  (cd "$CI_ROOT" && node --input-type=module -e \
    "import { hostTarget } from './tools/vsixTargets.mjs'; try { console.log(hostTarget()); } catch (e) { console.error(e.message); process.exit(1); }")
}

# Fresh user data, settings without network features; $1 = user-data dir.
write_user_settings() {
  mkdir -p "$1/User"
  cat > "$1/User/settings.json" <<'JSON'
{ "telemetry.telemetryLevel": "off", "update.mode": "none", "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true, "workbench.enableExperiments": false,
  "workbench.startupEditor": "none", "workbench.tips.enabled": false, "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true, "json.schemaDownload.enable": false, "npm.fetchOnlinePackageInfo": false,
  "typescript.disableAutomaticTypeAcquisition": true, "workbench.colorTheme": "Default Dark Modern",
  "window.commandCenter": false, "workbench.layoutControl.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "editor.hover.delay": 300,
  "git.openRepositoryInParentFolders": "never" }
JSON
}
