# shellcheck shell=bash
# The sandbox's Redis: Debian's redis-server as a plain process on 127.0.0.1, no persistence
# (no RDB snapshots, no AOF), the cache the portal's replicas share in production mode.
# Sourced by sandbox/sandbox.sh.

ALL_PARTS+=(redis)

REDIS_PORT=56379
REDIS_RUN="$RUN/redis"

ensure_redis_installed() {
  command -v redis-server >/dev/null && command -v redis-cli >/dev/null && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  apt_update redis
  step "redis: installing Debian's redis-server" \
    env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends redis-server
}

build_redis() {
  if command -v redis-server >/dev/null; then log "redis: redis-server installed"; fi
  ensure_redis_installed
}

redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

up_redis() {
  ensure_redis_installed
  if pid_alive "$REDIS_RUN/pid" && redis_ready; then
    log "redis: already running on 127.0.0.1:$REDIS_PORT"
    return 0
  fi
  stop_pid "$REDIS_RUN/pid"
  port_open "$REDIS_PORT" && die "redis: port $REDIS_PORT is taken by a process the sandbox did not start"
  mkdir -p "$REDIS_RUN"
  : >"$REDIS_RUN/redis.log"
  # Everything on the command line: Debian's /etc/redis/redis.conf (port 6379, /var/lib/redis)
  # is not read.
  start_bg "$REDIS_RUN/pid" "$REDIS_RUN/redis.log" redis-server --bind 127.0.0.1 \
    --port "$REDIS_PORT" --protected-mode yes --daemonize no --save '' --appendonly no \
    --dir "$REDIS_RUN" --maxmemory 128mb --maxmemory-policy allkeys-lru --loglevel notice
  wait_for redis "$REDIS_RUN/redis.log" 30 redis_ready
  log "redis: Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$REDIS_PORT (no persistence)"
}

down_redis() { stop_pid "$REDIS_RUN/pid"; }

pids_redis() {
  if pid_alive "$REDIS_RUN/pid"; then cat "$REDIS_RUN/pid"; fi
  return 0
}

status_redis() {
  if pid_alive "$REDIS_RUN/pid"; then
    echo "redis      running  pid $(cat "$REDIS_RUN/pid")  127.0.0.1:$REDIS_PORT"
  else echo "redis      stopped"; fi
}

env_redis() { echo "export SANDBOX_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"; }

logs_redis() { tail -n 50 "$REDIS_RUN/redis.log"; }
