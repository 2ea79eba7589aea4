# shellcheck shell=bash
# The portal in production mode on this machine: two backend replicas built and run as a
# deployment would run them, behind the sandbox's nginx. Sourced by sandbox/sandbox.sh.
#
#   scripts/sandbox up prod          needs postgres, redis, idp and nginx (starts them if down);
#                                    builds the frontend and the backend bundle (each only when
#                                    its sources changed), starts replica 1 on 127.0.0.1:57101 and
#                                    replica 2 on :57102 and waits for both to be ready; open
#                                    http://127.0.0.1:57080 (nginx) and sign in on the IdP's form
#   scripts/sandbox prod kill N      SIGKILL replica N (1 or 2) by its PID, as a crash would
#   scripts/sandbox prod start N     start replica N again and wait until it is ready
#   scripts/sandbox prod pids        the replicas' PIDs, one a line ("N PID")
#   scripts/sandbox prod stop        stop both replicas (SIGTERM; nginx, Redis and the IdP stay up)
#   scripts/sandbox build prod       only the build (a new bundle stops running replicas first;
#                                    `up prod` starts them again)
#
# The build is Backstage's host build: `yarn workspace app build`, then
# packages/backend/scripts/build-bundle.sh (dist/bundle.tar.gz and dist/skeleton.tar.gz), unpacked into
# $PROD_APP as the container image does (packages/backend/Dockerfile). Its node_modules is a
# hard-linked copy of the workspace's (the same installed versions; the workspace packages'
# links point into the bundle), so nothing is downloaded. Each replica runs
# `node packages/backend` there with NODE_ENV=production and the configs app-config.yaml,
# a copy of app-config.local.yaml (the running sandbox parts), app-config.production.yaml and
# $PROD_RUN/app-config.sandbox-prod.yaml, and the production variables pointing at the sandbox:
# PostgreSQL (Backstage's databases backstage_prod_<plugin>, apart from the development and test
# runs' backstage_plugin_<plugin>), the chat store in database `vectors` (pgvector), Redis as
# backend.cache, the IdP for sign-in.

ALL_PARTS+=(prod)
OPT_IN_PARTS+=(prod)

PROD_RUN="$RUN/prod"
PROD_APP="$PROD_RUN/app"
PROD_PORTS=(57101 57102)
PROD_BASE_URL="http://127.0.0.1:57080"
# Longest wait for a replica's readiness; a cold start on two busy cores takes 20-60 s.
PROD_READY_SECONDS="${PROD_READY_SECONDS:-240}"

prod_replica_dir() { echo "$PROD_RUN/replica$1"; }

# prod_stamp PATH...: a digest of the tracked and untracked files under PATHs, as they are now
# (tests and READMEs left out: they are not in the build).
prod_stamp() {
  local skip=(':(exclude,glob)**/*.test.ts' ':(exclude,glob)**/*.test.tsx' ':(exclude,glob)**/README.md')
  (
    cd "$REPO_ROOT" || exit 1
    git ls-files -s -- "$@" "${skip[@]}"
    git diff HEAD -- "$@" "${skip[@]}"
    git ls-files --others --exclude-standard -z -- "$@" "${skip[@]}" | xargs -0 -r sha256sum
  ) | sha256sum | cut -c1-16
}

# The frontend: the app and the plugins it bundles (not the backend plugins and node libraries).
prod_frontend_stamp() {
  prod_stamp packages/app plugins app-config.yaml yarn.lock package.json \
    ':(exclude,glob)plugins/*-backend/**' ':(exclude,glob)plugins/*-backend-module-*/**' \
    ':(exclude,glob)plugins/*-node/**'
}

prod_backend_stamp() {
  { prod_frontend_stamp; prod_stamp packages/backend plugins yarn.lock package.json; } |
    sha256sum | cut -c1-16
}

# Unpacks the bundle next to the running one, then swaps it in (the caller restarts replicas).
prod_unpack_now() {
  local new="$PROD_APP.new" dist="$REPO_ROOT/packages/backend/dist"
  rm -rf "$new" && mkdir -p "$new" || return 1
  tar -xzf "$dist/skeleton.tar.gz" -C "$new" && tar -xzf "$dist/bundle.tar.gz" -C "$new" || return 1
  # The installed dependencies, hard-linked; the workspace packages' links (relative, e.g.
  # node_modules/@internal/x -> ../../plugins/x) then lead into the bundle's own copies.
  cp -al "$REPO_ROOT/node_modules" "$new/node_modules" || return 1
  local pkg
  for pkg in "$new"/packages/* "$new"/plugins/*; do
    local src="$REPO_ROOT/${pkg#"$new"/}/node_modules"
    if [ -d "$src" ] && [ ! -e "$pkg/node_modules" ]; then cp -al "$src" "$pkg/node_modules" || return 1; fi
  done
  prod_link_served "$new" || return 1
  rm -rf "$PROD_APP" && mv "$new" "$PROD_APP"
}

# What the image copies beside the bundle (the catalog, templates and docs it serves), as links
# into this checkout. The bundle is cached per source digest, not per checkout: one unpacked by
# another clone with the same sources (a CI run's) links there, so the links are checked each
# time and pointed here again.
PROD_SERVED=(catalog-info.yaml mkdocs.yml catalog templates docs README.md)
prod_link_served() {
  local app="$1" item
  for item in "${PROD_SERVED[@]}"; do
    [ "$(readlink "$app/$item" 2>/dev/null)" = "$REPO_ROOT/$item" ] && continue
    rm -f "$app/$item" && ln -s "$REPO_ROOT/$item" "$app/$item" || return 1
  done
}

# Builds what changed; returns 0 when it unpacked a new bundle into $PROD_APP (having stopped
# the replicas that ran from the old one), 1 when the bundle was current.
prod_build() {
  mkdir -p "$PROD_RUN"
  ensure_tools
  local fe be
  fe="$(prod_frontend_stamp)"
  local dist="$REPO_ROOT/packages/app/dist" kept="$PROD_RUN/frontend-dist" built
  built="$(cat "$PROD_RUN/frontend.stamp" 2>/dev/null || true)"
  # A fresh clone of the same sources: the frontend kept from the last build.
  if [ "$built" = "$fe" ] && [ ! -f "$dist/index.html" ] && [ -f "$kept/index.html" ]; then
    log "prod: the frontend of these sources, copied from $kept"
    rm -rf "$dist" && cp -a "$kept" "$dist"
  fi
  if [ "$built" != "$fe" ] || [ ! -f "$dist/index.html" ]; then
    rm -f "$PROD_RUN/frontend.stamp"
    step "prod: building the frontend (yarn workspace app build, ~1-2 min)" \
      bash -c "cd '$REPO_ROOT' && yarn workspace app build"
    rm -rf "$kept" "$kept.tmp" && cp -a "$dist" "$kept.tmp" && mv "$kept.tmp" "$kept"
    echo "$fe" >"$PROD_RUN/frontend.stamp"
  else
    log "prod: frontend built from the current sources"
  fi
  be="$(prod_backend_stamp)"
  if [ "$(cat "$PROD_RUN/backend.stamp" 2>/dev/null)" = "$be" ] && [ -f "$PROD_APP/packages/backend/dist/index.cjs.js" ]; then
    log "prod: backend bundle built from the current sources"
    prod_link_served "$PROD_APP" || die "prod: cannot link $PROD_APP to this checkout's catalog, templates and docs"
    return 1
  fi
  rm -f "$PROD_RUN/backend.stamp"
  step "prod: building the backend bundle (build-bundle.sh of packages-backend: yarn tsc, the workspace packages, the bundle; ~3-5 min)" \
    env SKIP_APP_BUILD=1 "$REPO_ROOT/packages/backend/scripts/build-bundle.sh"
  # The replicas run from $PROD_APP: stopped before it is replaced, started again by up_prod.
  down_prod
  step "prod: unpacking the bundle into the run directory" prod_unpack_now
  echo "$be" >"$PROD_RUN/backend.stamp"
  return 0
}

build_prod() {
  if [ "$(cat "$PROD_RUN/backend.stamp" 2>/dev/null)" = "$(prod_backend_stamp)" ]; then
    log "prod: frontend and backend bundle cached"
  fi
  prod_build || true
}

prod_session_secret() {
  [ -s "$PROD_RUN/session-secret" ] || { umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$PROD_RUN/session-secret"; }
  cat "$PROD_RUN/session-secret"
}

prod_write_config() {
  # The running parts' settings (app-config.local.yaml), as a copy of the replicas' own: the
  # backend reloads a config file that changes, and `scripts/sandbox up` rewrites that one in
  # place (a replica once read it while it was being written, without its kubernetes clusters).
  write_local_config
  cp "$REPO_ROOT/app-config.local.yaml" "$PROD_RUN/app-config.sandbox-parts.yaml.tmp"
  mv "$PROD_RUN/app-config.sandbox-parts.yaml.tmp" "$PROD_RUN/app-config.sandbox-parts.yaml"
  cat >"$PROD_RUN/app-config.sandbox-prod.yaml.tmp" <<EOF
# Written by \`scripts/sandbox up prod\`: what the sandbox's replicas add to the production config.
backend:
  listen:
    host: 127.0.0.1
  database:
    # Apart from the development and test runs' databases on the same server.
    prefix: backstage_prod_
app:
  sandboxBanner: 'Production mode on the local sandbox: two replicas behind nginx (scripts/sandbox status)'
kafkaLag:
  # Short, so that a killed sampler's task moves to the survivor quickly (prod.kill.test.ts).
  sampleIntervalSeconds: 5
  sampleTimeoutSeconds: 20
EOF
  mv "$PROD_RUN/app-config.sandbox-prod.yaml.tmp" "$PROD_RUN/app-config.sandbox-prod.yaml"
}

prod_listening() { port_open "${PROD_PORTS[$(($1 - 1))]}"; }

prod_ready_now() {
  curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:${PROD_PORTS[$(($1 - 1))]}/.backstage/health/v1/readiness" 2>/dev/null
}

prod_start_replica() {
  local n="$1" dir port
  dir="$(prod_replica_dir "$n")"
  port="${PROD_PORTS[$((n - 1))]}"
  if pid_alive "$dir/pid"; then return 0; fi
  mkdir -p "$dir"
  wait_for "prod replica $n (port $port still in use)" "$dir/backend.log" 30 ports_free "$port"
  # Keep the last run's log: a replica that died says why there.
  if [ -s "$dir/backend.log" ]; then mv "$dir/backend.log" "$dir/backend.previous.log"; fi
  : >"$dir/backend.log"
  # mkdocs for TechDocs' local generator, on the replica's PATH (the image has it in /opt/techdocs).
  ensure_techdocs
  start_bg "$dir/pid" "$dir/backend.log" env -C "$PROD_APP" \
    NODE_ENV=production \
    PORTAL_BASE_URL="$PROD_BASE_URL" \
    APP_CONFIG_backend_listen_port="$port" \
    POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$PG_PORT" POSTGRES_USER="$PG_USER" POSTGRES_PASSWORD="$PG_PASSWORD" \
    RAG_CHAT_STORE_URL="$PG_VECTORS_URL" \
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
    AUTH_OIDC_METADATA_URL="$IDP_ISSUER/.well-known/openid-configuration" \
    AUTH_OIDC_CLIENT_ID="$IDP_CLIENT_ID" \
    AUTH_OIDC_CLIENT_SECRET="$IDP_CLIENT_SECRET" \
    AUTH_SESSION_SECRET="$(prod_session_secret)" \
    node packages/backend \
    --config "$REPO_ROOT/app-config.yaml" \
    --config "$PROD_RUN/app-config.sandbox-parts.yaml" \
    --config "$REPO_ROOT/app-config.production.yaml" \
    --config "$PROD_RUN/app-config.sandbox-prod.yaml"
  # What it started with: `up prod` restarts a replica whose settings are older.
  prod_config_digest >"$dir/config.digest"
}

# The sandbox settings a replica reads at start (the plugins build their clients from them
# then, e.g. the Kubernetes ServiceAccount token that a fresh cluster issues anew).
prod_config_digest() {
  cat "$PROD_RUN/app-config.sandbox-parts.yaml" "$PROD_RUN/app-config.sandbox-prod.yaml" |
    sha256sum | cut -c1-16
}

# Waits for the replicas given, with a line every 15 s; a replica that exits fails at once.
prod_wait_ready() {
  local t0=$SECONDS next=15 n pending=("$@")
  while [ ${#pending[@]} -gt 0 ]; do
    local still=()
    for n in "${pending[@]}"; do
      local dir
      dir="$(prod_replica_dir "$n")"
      if prod_ready_now "$n"; then
        log "prod: replica $n ready on 127.0.0.1:${PROD_PORTS[$((n - 1))]} after $((SECONDS - t0)) s"
        continue
      fi
      if ! pid_alive "$dir/pid"; then
        tail -n 30 "$dir/backend.log" >&2
        die "prod: replica $n exited before it was ready; log: $dir/backend.log"
      fi
      still+=("$n")
    done
    pending=("${still[@]}")
    [ ${#pending[@]} -eq 0 ] && break
    if [ $((SECONDS - t0)) -ge "$PROD_READY_SECONDS" ]; then
      for n in "${pending[@]}"; do tail -n 20 "$(prod_replica_dir "$n")/backend.log" >&2; done
      die "prod: replica(s) ${pending[*]} not ready within $PROD_READY_SECONDS s (PROD_READY_SECONDS); logs: $PROD_RUN/replica*/backend.log"
    fi
    if [ $((SECONDS - t0)) -ge "$next" ]; then
      log "prod: waiting for replica(s) ${pending[*]} (/.backstage/health/v1/readiness), $((SECONDS - t0)) s of at most $PROD_READY_SECONDS s"
      next=$((next + 15))
    fi
    sleep 1
  done
}

up_prod() {
  # What the replicas need, started if down (each is kept when already running).
  up_postgres
  up_redis
  up_idp
  up_nginx
  # A new bundle stops the replicas before it replaces the old one.
  prod_build || true
  prod_write_config
  local n to_start=() stale=() want
  want="$(prod_config_digest)"
  for n in 1 2; do
    local dir
    dir="$(prod_replica_dir "$n")"
    if ! pid_alive "$dir/pid"; then
      to_start+=("$n")
    elif [ "$(cat "$dir/config.digest" 2>/dev/null)" != "$want" ]; then
      # E.g. `k8s restart` built a fresh cluster, whose token for the portal is new: the
      # replica's clients would get 401s until it starts again.
      log "prod: replica $n runs with older sandbox settings (app-config.local.yaml changed since it started); restarting it"
      to_start+=("$n")
      stale+=("$n")
    else
      log "prod: replica $n already running (pid $(cat "$dir/pid"))"
    fi
  done
  # One after the other, as a rolling update starts pods: replicas starting together on fresh
  # databases race for knex's migration lock, and the loser's plugin fails with
  # "Migration table is already locked"; a stale replica is stopped only when its turn comes,
  # so the other one serves meanwhile.
  for n in "${to_start[@]}"; do
    if [[ " ${stale[*]} " == *" $n "* ]]; then stop_pid "$(prod_replica_dir "$n")/pid"; fi
    log "prod: starting replica $n (NODE_ENV=production; log: $(prod_replica_dir "$n")/backend.log)"
    prod_start_replica "$n"
    prod_wait_ready "$n"
  done
  # The ones that were already running: ready too?
  local running=()
  for n in 1 2; do [[ " ${to_start[*]} " == *" $n "* ]] || running+=("$n"); done
  [ ${#running[@]} -eq 0 ] || prod_wait_ready "${running[@]}"
  log "prod: the portal in production mode on $PROD_BASE_URL (nginx over 127.0.0.1:57101 and :57102); sign in on the IdP with a catalog user's email and SANDBOX_OIDC_PASSWORD (scripts/sandbox env)"
}

down_prod() {
  # Both drain at once: each takes up to events.notifyTimeoutMs and a few seconds (see
  # app-config.production.yaml).
  stop_pids "$(prod_replica_dir 1)/pid" "$(prod_replica_dir 2)/pid"
}

pids_prod() {
  local n
  for n in 1 2; do
    if pid_alive "$(prod_replica_dir "$n")/pid"; then cat "$(prod_replica_dir "$n")/pid"; fi
  done
  return 0
}

status_prod() {
  local n
  for n in 1 2; do
    local dir
    dir="$(prod_replica_dir "$n")"
    if pid_alive "$dir/pid"; then
      echo "prod-$n     running  pid $(cat "$dir/pid")  127.0.0.1:${PROD_PORTS[$((n - 1))]}"
    else
      echo "prod-$n     stopped"
    fi
  done
}

env_prod() {
  echo "export SANDBOX_PROD_REPLICA_URLS=http://127.0.0.1:${PROD_PORTS[0]},http://127.0.0.1:${PROD_PORTS[1]}"
  echo "export SANDBOX_PROD_DB_PREFIX=backstage_prod_"
}

logs_prod() { tail -n 40 "$PROD_RUN"/replica*/backend.log; }

cmd_prod() {
  local action="${1:-}" n="${2:-}"
  local usage="usage: sandbox prod kill N | start N | stop | pids (N = 1 or 2)"
  case "$action" in
    kill)
      [[ "$n" =~ ^[12]$ ]] || die "$usage"
      local pidfile
      pidfile="$(prod_replica_dir "$n")/pid"
      pid_alive "$pidfile" || die "prod: replica $n is not running"
      local pid
      pid="$(cat "$pidfile")"
      kill -KILL "$pid"
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      rm -f "$pidfile"
      log "prod: replica $n (pid $pid) killed with SIGKILL"
      ;;
    start)
      [[ "$n" =~ ^[12]$ ]] || die "$usage"
      [ -f "$PROD_APP/packages/backend/dist/index.cjs.js" ] || die "prod: no bundle yet; run: scripts/sandbox up prod"
      if pid_alive "$(prod_replica_dir "$n")/pid"; then
        log "prod: replica $n already running"
      else
        prod_write_config
        prod_start_replica "$n"
      fi
      prod_wait_ready "$n"
      ;;
    stop)
      down_prod
      log "prod: replicas stopped"
      ;;
    pids)
      for n in 1 2; do
        if pid_alive "$(prod_replica_dir "$n")/pid"; then echo "$n $(cat "$(prod_replica_dir "$n")/pid")"; fi
      done
      ;;
    *) die "$usage" ;;
  esac
}
