#!/usr/bin/env bash
# Starts the portal on the embedded defaults (SQLite, the repository's catalog and
# templates, guest sign-in): frontend on :3000, backend on :7007. If the sandbox is up,
# its app-config.local.yaml is picked up too. Safe to run again: installs only what changed.
. "$(dirname "$0")/lib.sh"
ensure_deps
cd "$REPO_ROOT"
for port in 3000 7007; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already in use (is the portal already running?)"
  fi
done
log "starting the portal; the first page compile takes about a minute on 2 cores"
log "open http://localhost:3000 and choose 'Enter' to sign in as guest (backend: http://localhost:7007)"
exec yarn start
