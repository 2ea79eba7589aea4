#!/usr/bin/env bash
# Starts the portal: frontend on :3000, backend on :7007. Safe to run again: installs only
# what changed. Ctrl-C stops the portal.
#
#   ./scripts/start.sh          on the embedded defaults (SQLite, the repository's catalog and
#                               templates, guest sign-in); if the sandbox is up, its
#                               app-config.local.yaml is picked up too
#   ./scripts/start.sh --demo   first brings up the whole sandbox (`scripts/sandbox up`: Kafka,
#                               PostgreSQL, Kubernetes API server + KWOK, Prometheus, the model
#                               server), which writes app-config.local.yaml, then starts the
#                               portal on it and prints the pages to open. Parts already
#                               running are left as they are. The sandbox keeps running after
#                               Ctrl-C; `scripts/sandbox down` stops it.
. "$(dirname "$0")/lib.sh"

demo=false
case "${1:-}" in
  "") ;;
  --demo) demo=true ;;
  *) die "unknown option '$1' (usage: ./scripts/start.sh [--demo])" ;;
esac

t0=$SECONDS
if $demo; then
  log "demo: the sandbox's real servers, then the portal on them: ~25 min on a cold machine" \
    "(most of it building Kubernetes once), ~1 min when the sandbox is already built and up"
fi
ensure_deps
cd "$REPO_ROOT"
for port in 3000 7007; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already in use (is the portal already running?)"
  fi
done

if $demo; then
  # Every part; each step says how long it takes cold, and a running part is kept.
  "$REPO_ROOT/scripts/sandbox" up
  [ -f "$REPO_ROOT/app-config.local.yaml" ] ||
    die "scripts/sandbox up wrote no app-config.local.yaml; see scripts/sandbox status"
  log "sandbox up after $((SECONDS - t0)) s; the portal reads it from app-config.local.yaml"
fi

log "starting the portal; the first page compile takes about a minute on 2 cores"
log "open http://localhost:3000 and choose 'Enter' to sign in as guest (backend: http://localhost:7007)"
if $demo; then
  log "the platform's pages, with the sandbox's live figures:"
  log "  Cluster health     http://localhost:3000/cluster-health"
  log "  Kafka lag          http://localhost:3000/kafka-lag"
  log "  GPU inference      http://localhost:3000/gpu-inference"
  log "  Ask the platform   http://localhost:3000/rag-chat"
  log "Ctrl-C stops the portal; the sandbox keeps running until: scripts/sandbox down"
fi

# Says when the portal answers (frontend and backend), then exits; it also ends when the
# portal does (the shell's PID is yarn's after the exec below).
portal_pid=$$
(
  while kill -0 "$portal_pid" 2>/dev/null; do
    if curl -fsS -o /dev/null http://localhost:7007/.backstage/health/v1/readiness 2>/dev/null &&
      curl -fsS -o /dev/null http://localhost:3000/ 2>/dev/null; then
      log "the portal answers on http://localhost:3000, $((SECONDS - t0)) s after the start"
      exit 0
    fi
    sleep 2
  done
) &
exec yarn start
