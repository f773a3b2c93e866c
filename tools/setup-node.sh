#!/usr/bin/env bash
# Sourced by .ci/run and test/e2e/setup-code-server.sh (so by tools/start-code-server.sh and
# test/e2e/run-e2e.sh): puts Node 24 and npm 11 first on PATH, fetched once from the npm registry
# into $CI_CACHE/node24. On a machine without npm (a fresh Debian 12), Debian's nodejs and npm are
# installed first (as root), only to fetch them: Debian's Node 18 runs nothing else.
# Env: CI_CACHE (default ~/.cache/circuit-inspector), shared by every checkout and both README
# commands: Node 24, npm and code-server live there; each run keeps its own user data elsewhere.
NODE_VER=24.21.0
NPM_VER=11.19.1
export CI_CACHE=${CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/circuit-inspector}
mkdir -p "$CI_CACHE"
log() { echo "[$(date +%T)] $*"; }

case "$(uname -m)" in
  x86_64 | amd64) NODE_ARCH=x64 ;;
  aarch64 | arm64) NODE_ARCH=arm64 ;;
  *) echo "setup-node.sh: no Node 24 package for this machine's architecture ($(uname -m)): x86_64 and aarch64 only" >&2
     return 1 2>/dev/null || exit 1 ;;
esac

# Holds $CI_CACHE/.lock while "$@" runs, so two runs sharing the cache install it once.
with_cache_lock() { (flock 9 && "$@") 9>"$CI_CACHE/.lock"; }

NODE_DIR=$CI_CACHE/node24
node_ok() { [ -x "$NODE_DIR/bin/node" ] && [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" = "v$NODE_VER" ]; }
npm_ok() { [ -x "$NODE_DIR/bin/npm" ] && grep -q "\"version\": \"$NPM_VER\"" "$NODE_DIR/lib/node_modules/npm/package.json" 2>/dev/null; }

install_node() {
  PATH="$PATH:$NODE_DIR/bin"   # the machine's npm fetches; else the cache's own (a version bump)
  if ! node_ok; then
    log "node $NODE_VER (linux-$NODE_ARCH) from the npm registry into $NODE_DIR"
    (cd "$CI_CACHE" && rm -rf node24.tmp && mkdir node24.tmp && npm pack -q "node-linux-$NODE_ARCH@$NODE_VER" >/dev/null \
      && tar xzf "node-linux-$NODE_ARCH-$NODE_VER.tgz" -C node24.tmp --strip-components=1 \
      && rm "node-linux-$NODE_ARCH-$NODE_VER.tgz" && rm -rf node24 && mv node24.tmp node24) || return 1
  fi
  if ! npm_ok; then
    log "npm $NPM_VER from the npm registry into $NODE_DIR"
    (cd "$CI_CACHE" && npm pack -q "npm@$NPM_VER" >/dev/null && rm -rf "$NODE_DIR/lib/node_modules/npm" \
      && mkdir -p "$NODE_DIR/lib/node_modules/npm" && tar xzf "npm-$NPM_VER.tgz" -C "$NODE_DIR/lib/node_modules/npm" --strip-components=1 \
      && rm "npm-$NPM_VER.tgz" && ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$NODE_DIR/bin/npm" \
      && ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$NODE_DIR/bin/npx") || return 1
  fi
}

if ! node_ok || ! npm_ok; then
  if ! PATH="$PATH:$NODE_DIR/bin" command -v npm >/dev/null 2>&1; then
    log "apt: nodejs and npm (Debian's, only to fetch Node $NODE_VER and npm $NPM_VER from the npm registry)"
    if [ "$(id -u)" = 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm ca-certificates >/dev/null \
        || { echo "setup-node.sh: apt-get could not install nodejs and npm" >&2; return 1 2>/dev/null || exit 1; }
    else
      echo "setup-node.sh: npm is missing: run this as root (it installs Debian's nodejs and npm) or install npm first" >&2
      return 1 2>/dev/null || exit 1
    fi
  fi
  with_cache_lock install_node || { echo "setup-node.sh: could not fetch Node $NODE_VER and npm $NPM_VER into $NODE_DIR" >&2; return 1 2>/dev/null || exit 1; }
fi
export PATH="$CI_CACHE/node24/bin:$PATH"
hash -r
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
