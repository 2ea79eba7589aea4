# shellcheck shell=bash
# The sandbox's own parts (kafka, postgres, vector, workload), the helpers the part scripts of
# sandbox/parts/ use, and the commands. Sourced by the entry point, scripts/sandbox (after
# scripts/lib.sh), whose header is the usage text.

SANDBOX_HOME="${SANDBOX_HOME:-$PORTAL_CACHE/sandbox}"
RUN="$SANDBOX_HOME/run"
# PostgreSQL runs as the unprivileged `postgres` user, which cannot enter /root: its data
# directory lives where that user can reach it.
PG_DIR="${SANDBOX_PG_DIR:-/var/tmp/platform-portal-sandbox-pg}"

KAFKA_VERSION="3.9.2"
KAFKA_LIB="$PORTAL_CACHE/kafka-$KAFKA_VERSION/lib"
KAFKA_PORTS=(19092 29092 39092)
KAFKA_CONTROLLER_PORTS=(19093 29093 39093)
KAFKA_BOOTSTRAP="127.0.0.1:19092,127.0.0.1:29092,127.0.0.1:39092"
# Heap of each broker (-Xms = -Xmx). 128m was sized for the tests' few small topics; the Kafka
# lag benchmark's shape (bench/kafka-lag: 50 groups x 1,000 partitions, so 1,000 partition
# replicas and 50,000 committed offsets on every broker) needs more room than that, so 512m
# each. SANDBOX_KAFKA_HEAP overrides it (e.g. 128m on a machine short of memory).
KAFKA_HEAP="${SANDBOX_KAFKA_HEAP:-512m}"
# The JVM flags of the brokers and of Kafka's command-line tools: the client compiler only and
# the serial collector. On two cores the JIT's second tier and G1's threads cost a third of what
# three brokers used to start and settle (22.6 CPU-s to start and 17.3 in the 120 s after with
# G1 and both tiers, 14.1 and 11.2 with these flags; one run each, 2026-12-08), and a test run
# restarts brokers often. The sandbox's load is far below where the faster code would matter.
KAFKA_JVM=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)
PG_PORT=55432
PG_MAX_CONNECTIONS=400
PG_BIN=/usr/lib/postgresql/15/bin
PG_USER=portal
PG_PASSWORD=portal-sandbox
# The vectors database (pgvector): the ingestors' embeddings table and the production chat store.
PG_VECTORS_URL="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/vectors"
# pgvector for PostgreSQL 15, built from Debian trixie's source package (bookworm packages it
# for no PostgreSQL 15). The build is cached per pinned version.
PGVECTOR_VERSION="0.8.0"
PGVECTOR_DEB_VERSION="0.8.0-1"
PGVECTOR_DIR="$PORTAL_CACHE/pgvector-$PGVECTOR_DEB_VERSION-pg15"
VECTOR_PORT=55433
ALL_PARTS=(kafka postgres vector workload)
# Parts that `up` and `build` start or build only when named (a part script appends itself);
# `down` and `status` see every part.
OPT_IN_PARTS=()

# ---------------------------------------------------------------------------- helpers

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The sandbox's listening ports lie in Linux's ephemeral range (32768-60999 by default): an
# outgoing connection of a test may take one as its local port just when the server that owns
# it starts, and the server then fails with EADDRINUSE (seen once for the GPU exporter on
# :59400). Ports in net.ipv4.ip_local_reserved_ports are never handed out as ephemeral ones, and
# binding them explicitly still works; `up` adds the sandbox's to that list when it may write it
# (root), and says once that it cannot otherwise.
reserve_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports
  local ports=("${KAFKA_PORTS[@]}" "${KAFKA_CONTROLLER_PORTS[@]}" "$PG_PORT" "$VECTOR_PORT"
    "$ETCD_PORT" "$ETCD_PEER_PORT" "$KINE_PORT" "$K8S_API_PORT" "$HELIX_API_PORT" "$MODEL_PORT"
    "$PROMETHEUS_PORT" "$GPU_EXPORTER_PORT" "$KEDA_METRICS_PORT" "$KEDA_PROBE_PORT" "$KEDA_GRPC_PORT" "$ALERTMANAGER_PORT" "$IDP_PORT" "$NGINX_PORT" "$REDIS_PORT" "${PROD_PORTS[@]}")
  local current wanted
  current="$(cat "$file" 2>/dev/null)" || return 0
  wanted="$(printf '%s\n' "${ports[@]}" | sort -n | paste -sd, -)"
  # The kernel keeps the list sorted and merged ("19092-19093,29092,..."): is each of ours in it?
  local reserved=()
  local part
  IFS=, read -ra reserved <<<"$current"
  local port missing=false
  for port in "${ports[@]}"; do
    local found=false
    for part in "${reserved[@]}"; do
      if [ "$port" -ge "${part%-*}" ] && [ "$port" -le "${part#*-}" ]; then found=true; break; fi
    done
    $found || { missing=true; break; }
  done
  $missing || return 0
  if [ -w "$file" ] && echo "${current:+$current,}$wanted" >"$file" 2>/dev/null; then
    log "reserved the sandbox's ports ($wanted) in net.ipv4.ip_local_reserved_ports: no outgoing connection takes them"
  else
    log "note: cannot add the sandbox's ports to net.ipv4.ip_local_reserved_ports (needs root);" \
      "a server may now and then fail to start with EADDRINUSE when an outgoing connection holds its port"
  fi
}

ports_free() {
  local port
  for port in "$@"; do ! port_open "$port" || return 1; done
}

# wait_for PART LOGFILE SECONDS COMMAND...: polls COMMAND until it succeeds, or fails naming
# the part and its log.
wait_for() {
  local part="$1" logfile="$2" limit="$3"
  shift 3
  local t0=$SECONDS
  # The check's output is noise; a check that dies (a part that exited) still says why.
  until DIE_FD=4 "$@" 4>&2 >/dev/null 2>&1; do
    if [ $((SECONDS - t0)) -ge "$limit" ]; then
      [ -f "$logfile" ] && tail -n 20 "$logfile" >&2
      die "$part did not become ready within ${limit}s; log: $logfile"
    fi
    sleep 0.5
  done
}

# start_bg PIDFILE LOGFILE COMMAND...: runs COMMAND detached, in its own session.
start_bg() {
  local pidfile="$1" logfile="$2"
  shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# SIGTERM to the process group a pidfile names (start_bg's setsid), else to the process.
term_pid() {
  if pid_alive "$1"; then
    local pid
    pid="$(cat "$1")"
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  fi
}

stop_pid() {
  local pidfile="$1"
  if pid_alive "$pidfile"; then
    local pid
    pid="$(cat "$pidfile")"
    term_pid "$pidfile"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$pidfile"
}

# Stops several at once: each is sent SIGTERM first, then each is waited for as stop_pid does
# (processes that shut down together, or that each take a while to drain).
stop_pids() {
  local f
  for f in "$@"; do term_pid "$f"; done
  for f in "$@"; do stop_pid "$f"; done
}

node_script() {
  ensure_tools
  node --no-warnings "$REPO_ROOT/sandbox/src/$1" "${@:2}"
}

is_function() { declare -F "$1" >/dev/null; }

# The CPU seconds the given processes used: each one's and its live descendants', plus what
# their children that already ended used (/proc/PID/stat: utime, stime, cutime, cstime).
# Read through cat: a process that ends after the glob is expanded has no stat file any more,
# which cat skips and mawk would stop at (an error that once ended `down` before it stopped anything).
cpu_seconds() {
  local hz
  hz="$(getconf CLK_TCK)"
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$*" -v hz="$hz" '
    {
      line = $0; pid = $1
      sub(/^.*\) /, "", line)
      split(line, f, " ")
      parent[pid] = f[2]; ticks[pid] = f[12] + f[13] + f[14] + f[15]
    }
    END {
      n = split(roots, r, " ")
      for (i = 1; i <= n; i++) root[r[i]] = 1
      for (p in ticks) {
        for (q = p; q != "" && q > 1; q = parent[q]) if (q in root) { total += ticks[p]; break }
      }
      print int(total / hz)
    }'
}

# The PIDs the first four parts run (the parts of sandbox/parts/ have pids_PART).
core_pids() {
  local f files=("$RUN/$1/pid")
  case "$1" in
    kafka) files=("$RUN"/kafka/node*/pid) ;;
    postgres)
      if [ -f "$PG_DIR/data/postmaster.pid" ]; then head -n1 "$PG_DIR/data/postmaster.pid"; fi
      return 0
      ;;
  esac
  for f in "${files[@]}"; do
    if pid_alive "$f"; then cat "$f"; fi
  done
}

# Parts beyond the first four live in sandbox/parts/PART.sh. Each defines up_PART, down_PART,
# pids_PART (PIDs it runs), status_PART, env_PART, logs_PART, optionally config_PART (a fragment
# of app-config.local.yaml, printed only while it runs), build_PART (what up_PART builds or
# fetches before it starts anything, with the same function and cache stamps, saying "cached"
# when there is nothing to do) and cmd_PART (`sandbox PART ...`), and appends PART to
# ALL_PARTS (and to OPT_IN_PARTS when a plain `up` should leave it out). They are sourced after
# this file's own parts, in name order.

# ---------------------------------------------------------------------------- kafka

ensure_kafka_jars() {
  if [ ! -f "$KAFKA_LIB/.complete" ]; then
    command -v mvn >/dev/null || die "kafka: Maven (mvn) is needed to fetch the Kafka jars"
    command -v java >/dev/null || die "kafka: Java 17 is needed to run Kafka"
    rm -rf "$KAFKA_LIB"
    step "kafka: resolving Kafka $KAFKA_VERSION jars from Maven Central (~30 s cold)" \
      mvn -B -q -f "$REPO_ROOT/sandbox/kafka/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$KAFKA_VERSION" -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
    touch "$KAFKA_LIB/.complete"
  fi
}

build_kafka() {
  if [ -f "$KAFKA_LIB/.complete" ]; then log "kafka: Kafka $KAFKA_VERSION jars cached"; fi
  ensure_kafka_jars
}

kafka_node_dir() { echo "$RUN/kafka/node$1"; }

kafka_configure() {
  local n="$1" dir
  dir="$(kafka_node_dir "$n")"
  mkdir -p "$dir/data" "$dir/logs"
  local port="${KAFKA_PORTS[$((n - 1))]}" cport="${KAFKA_CONTROLLER_PORTS[$((n - 1))]}"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=$n
controller.quorum.voters=1@127.0.0.1:19093,2@127.0.0.1:29093,3@127.0.0.1:39093
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=3
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
log.segment.bytes=16777216
log.cleaner.dedupe.buffer.size=16777216
log.retention.hours=24
EOF
  cat >"$dir/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/logs/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
log4j.logger.state.change.logger=WARN
EOF
}

kafka_start_node() {
  local n="$1" dir
  dir="$(kafka_node_dir "$n")"
  if pid_alive "$dir/pid"; then return 0; fi
  kafka_configure "$n"
  if [ ! -f "$dir/data/meta.properties" ]; then
    java "${KAFKA_JVM[@]}" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$(cat "$RUN/kafka/cluster-id")" \
      -c "$dir/server.properties" >>"$dir/logs/format.log" 2>&1 ||
      die "kafka: formatting the storage of node $n failed; log: $dir/logs/format.log"
  fi
  # A broker stopped a moment ago may still hold its ports.
  local port="${KAFKA_PORTS[$((n - 1))]}" cport="${KAFKA_CONTROLLER_PORTS[$((n - 1))]}"
  wait_for "kafka node $n (ports $port/$cport still in use)" "$dir/logs/server.log" 60 \
    ports_free "$port" "$cport"
  : >"$dir/logs/server.log"
  start_bg "$dir/pid" "$dir/logs/stdout.log" java "-Xms$KAFKA_HEAP" "-Xmx$KAFKA_HEAP" "${KAFKA_JVM[@]}" \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j.configuration="file:$dir/log4j.properties" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$dir/server.properties"
}

kafka_node_ready() { grep -q 'Kafka Server started' "$(kafka_node_dir "$1")/logs/server.log"; }

# A restarted broker logs "started" before the controller unfences it: wait until the
# cluster's metadata lists it again.
kafka_broker_listed() {
  java "${KAFKA_JVM[@]}" -cp "$KAFKA_LIB/*" kafka.admin.BrokerApiVersionsCommand \
    --bootstrap-server "$KAFKA_BOOTSTRAP" 2>/dev/null | grep -q "(id: $1 rack"
}

# A broker answers for consumer groups only once it has loaded the __consumer_offsets partitions
# it leads; until then clients get "The coordinator is loading" (COORDINATOR_LOAD_IN_PROGRESS),
# for longer the more data the sandbox has kept. Each node holds all 50 partitions (RF 3), and
# each start empties its server.log: the partitions loaded since are those its lines name.
kafka_offsets_partitions() {
  local dirs=("$(kafka_node_dir 1)"/data/__consumer_offsets-*)
  [ -e "${dirs[0]}" ] && echo "${#dirs[@]}" || echo 0
}

kafka_offsets_loaded() {
  local loaded
  loaded="$(cat "$RUN"/kafka/node*/logs/server.log 2>/dev/null |
    grep -oE 'Finished loading offsets and group metadata from __consumer_offsets-[0-9]+' | sort -u | wc -l || true)"
  [ "$loaded" -ge "$1" ]
}

up_kafka() {
  ensure_kafka_jars
  mkdir -p "$RUN/kafka"
  [ -f "$RUN/kafka/cluster-id" ] ||
    java "${KAFKA_JVM[@]}" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null >"$RUN/kafka/cluster-id"
  local started=0
  for n in 1 2 3; do
    pid_alive "$(kafka_node_dir "$n")/pid" || started=1
    kafka_start_node "$n"
  done
  if [ "$started" = 1 ]; then
    log "kafka: waiting for three brokers on ${KAFKA_BOOTSTRAP} ..."
    local t0=$SECONDS
    for n in 1 2 3; do
      wait_for "kafka node $n" "$(kafka_node_dir "$n")/logs/server.log" 120 kafka_node_ready "$n"
    done
    # No __consumer_offsets yet (fresh data): nothing to load.
    local partitions
    partitions="$(kafka_offsets_partitions)"
    if [ "$partitions" -gt 0 ]; then
      local t1=$SECONDS
      until kafka_offsets_loaded "$partitions"; do
        if [ $((SECONDS - t1)) -ge 60 ]; then
          log "kafka: warning: the group coordinators have not loaded all $partitions __consumer_offsets partitions after 60 s; clients may be told 'The coordinator is loading' for a while"
          break
        fi
        sleep 0.5
      done
    fi
    log "kafka: ready in $((SECONDS - t0)) s"
  else
    log "kafka: already running"
  fi
}

down_kafka() {
  # All three at once: stopping them one after another leaves the last without quorum.
  stop_pids "$(kafka_node_dir 1)/pid" "$(kafka_node_dir 2)/pid" "$(kafka_node_dir 3)/pid"
}

kafka_running() {
  local n count=0
  for n in 1 2 3; do pid_alive "$(kafka_node_dir "$n")/pid" && count=$((count + 1)); done
  echo "$count"
}

# The node's process runs and its controller listener accepts: all a node can do alone. It
# serves clients only once a quorum of controllers (two of three) runs.
kafka_node_up() {
  pid_alive "$(kafka_node_dir "$1")/pid" && port_open "${KAFKA_CONTROLLER_PORTS[$(($1 - 1))]}"
}

# kafka_start_and_wait N...: starts the nodes given, then waits — for quorum when enough nodes
# run, otherwise only for each process and its controller listener.
kafka_start_and_wait() {
  ensure_kafka_jars
  mkdir -p "$RUN/kafka"
  [ -f "$RUN/kafka/cluster-id" ] ||
    java "${KAFKA_JVM[@]}" -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null >"$RUN/kafka/cluster-id"
  local n
  for n in "$@"; do kafka_start_node "$n"; done
  for n in "$@"; do
    wait_for "kafka node $n" "$(kafka_node_dir "$n")/logs/server.log" 60 kafka_node_up "$n"
  done
  if [ "$(kafka_running)" -lt 2 ]; then
    log "kafka: broker(s) $* started (controller listening), waiting for quorum: start another broker"       "(scripts/sandbox kafka start-broker N, or kafka start-all); clients get no answer until then"
    return 0
  fi
  for n in 1 2 3; do
    pid_alive "$(kafka_node_dir "$n")/pid" || continue
    wait_for "kafka node $n" "$(kafka_node_dir "$n")/logs/server.log" 120 kafka_node_ready "$n"
    wait_for "kafka node $n" "$(kafka_node_dir "$n")/logs/server.log" 120 kafka_broker_listed "$n"
  done
  log "kafka: broker(s) $* started; $(kafka_running) of 3 running, each listed in the cluster's metadata"
}

kafka_cmd() {
  local action="${1:-}" n="${2:-}"
  local usage="usage: sandbox kafka stop-broker N | start-broker N | stop-all | start-all (N = 1, 2 or 3)"
  case "$action" in
    stop-broker)
      [[ "$n" =~ ^[123]$ ]] || die "$usage"
      stop_pid "$(kafka_node_dir "$n")/pid"
      log "kafka: broker $n stopped ($(kafka_running) of 3 running)"
      ;;
    start-broker)
      [[ "$n" =~ ^[123]$ ]] || die "$usage"
      kafka_start_and_wait "$n"
      ;;
    stop-all)
      down_kafka
      log "kafka: all brokers stopped"
      ;;
    start-all)
      local stopped=()
      for n in 1 2 3; do pid_alive "$(kafka_node_dir "$n")/pid" || stopped+=("$n"); done
      if [ ${#stopped[@]} -eq 0 ]; then log "kafka: all brokers already running"; return 0; fi
      kafka_start_and_wait "${stopped[@]}"
      ;;
    *) die "$usage" ;;
  esac
}

# ---------------------------------------------------------------------------- postgres

ensure_postgres_installed() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    apt_update postgres
    step "postgres: installing Debian's postgresql-15" \
      env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y postgresql-15
  fi
}

build_postgres() {
  if [ -x "$PG_BIN/initdb" ]; then log "postgres: PostgreSQL 15 installed"; fi
  ensure_postgres_installed
  if [ -f "$PGVECTOR_DIR/.complete" ]; then log "postgres: pgvector $PGVECTOR_VERSION build cached"; fi
  ensure_pgvector
}

# The Debian mirror apt already uses (not the security archive), for trixie's sources.
debian_mirror() {
  local uri
  uri="$(apt-get indextargets --format '$(REPO_URI)' 'Identifier: Packages' 2>/dev/null |
    grep -v -- '-security' | grep -m1 '/debian/\?$' || true)"
  echo "${uri:-http://deb.debian.org/debian/}"
}

pgvector_fetch_source() {
  (cd "$PGVECTOR_DIR/src" && apt-get "$@" source "pgvector=$PGVECTOR_DEB_VERSION")
}

# Fetches pgvector's source package from Debian trixie through a private apt configuration
# (its own sources list, package lists and cache under $PGVECTOR_DIR: the system's lists stay
# as they are, and a machine without any deb-src line works), builds it against PostgreSQL
# 15's server headers and stages `make install` into $PGVECTOR_DIR/stage.
build_pgvector() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  local need=()
  [ -f /usr/include/postgresql/15/server/postgres.h ] || need+=(postgresql-server-dev-15)
  command -v dpkg-source >/dev/null || need+=(dpkg-dev)
  command -v make >/dev/null || need+=(make)
  command -v gcc >/dev/null || need+=(gcc)
  if [ ${#need[@]} -gt 0 ]; then
    apt_update postgres
    step "postgres: installing Debian's ${need[*]} (to build pgvector)" \
      env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${need[@]}"
  fi
  rm -rf "$PGVECTOR_DIR"
  local apt="$PGVECTOR_DIR/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$PGVECTOR_DIR/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(debian_mirror) trixie main" \
    >"$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  step "postgres: apt-get update of Debian trixie's sources (private lists)" \
    apt-get "${opts[@]}" update
  step "postgres: fetching pgvector $PGVECTOR_DEB_VERSION's source package" \
    pgvector_fetch_source "${opts[@]}"
  local src="$PGVECTOR_DIR/src/pgvector-$PGVECTOR_VERSION"
  [ -f "$src/Makefile" ] || die "postgres: pgvector's source package did not unpack into $src"
  # No LLVM bitcode: the server runs without JIT for it, and clang need not match.
  step "postgres: building pgvector $PGVECTOR_VERSION for PostgreSQL 15 (~10-40 s)" \
    make -C "$src" PG_CONFIG="$PG_BIN/pg_config" with_llvm=no
  step "postgres: staging pgvector's files" \
    make -C "$src" PG_CONFIG="$PG_BIN/pg_config" with_llvm=no install DESTDIR="$PGVECTOR_DIR/stage"
  rm -rf "$apt" "$PGVECTOR_DIR/src"
  touch "$PGVECTOR_DIR/.complete"
}

# Built once per pinned version; installed (copied from the staged build) whenever a file is
# missing or differs, e.g. after a reinstall of postgresql-15. CREATE EXTENSION loads it: no
# server restart.
ensure_pgvector() {
  [ -f "$PGVECTOR_DIR/.complete" ] || build_pgvector
  local sudo="" f installed=0
  [ "$(id -u)" = 0 ] || sudo="sudo"
  while IFS= read -r f; do
    cmp -s "$PGVECTOR_DIR/stage/$f" "/$f" && continue
    # A new file renamed over the old one, never the old one rewritten in place: a server
    # backend that has vector.so mapped keeps its copy.
    { $sudo install -D -m "$(stat -c %a "$PGVECTOR_DIR/stage/$f")" "$PGVECTOR_DIR/stage/$f" "/$f.new.$$" &&
      $sudo mv -f "/$f.new.$$" "/$f"; } ||
      die "postgres: installing pgvector's /$f failed (from $PGVECTOR_DIR/stage)"
    installed=$((installed + 1))
  done < <(cd "$PGVECTOR_DIR/stage" && find . -type f | sed 's|^\./||')
  if [ "$installed" -gt 0 ]; then
    log "postgres: pgvector $PGVECTOR_VERSION installed into /usr/lib/postgresql/15 and /usr/share/postgresql/15 ($installed files)"
  fi
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_ready() { as_postgres "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q; }

psql_admin() { as_postgres psql -h /tmp -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

up_postgres() {
  ensure_postgres_installed
  ensure_pgvector
  if pg_ready; then
    log "postgres: already running on 127.0.0.1:$PG_PORT"
  else
    # Many backends share this server at once in a test run: two production replicas, the
    # production test's backend and the replica tests', each with a pool per plugin database.
    # PostgreSQL's default of 100 connections ran out in a fresh-clone run.
    mkdir -p "$PG_DIR"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DIR"
    chmod 700 "$PG_DIR"
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
      step "postgres: initdb" as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 -N
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories=/tmp -c max_connections=$PG_MAX_CONNECTIONS" start \
      >/dev/null || die "postgres did not start; log: $PG_DIR/server.log"
    wait_for postgres "$PG_DIR/server.log" 60 pg_ready
  fi
  # Roles and databases: the portal's (production mode) and the platform's data.
  psql_admin -d postgres <<EOF
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
EOF
  for db in backstage platform; do
    psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      psql_admin -d postgres -c "CREATE DATABASE $db OWNER $PG_USER"
  done
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d platform \
    -v ON_ERROR_STOP=1 -q -f "$REPO_ROOT/sandbox/postgres/platform.sql"
  # The production vector store: PostgreSQL 15 + pgvector (the extension needs a superuser).
  psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'vectors'" | grep -q 1 ||
    psql_admin -d postgres -c "CREATE DATABASE vectors OWNER $PG_USER"
  PGOPTIONS="-c client_min_messages=warning" psql_admin -d vectors -c "CREATE EXTENSION IF NOT EXISTS vector" ||
    die "postgres: CREATE EXTENSION vector failed in database vectors; log: $PG_DIR/server.log"
}

down_postgres() {
  if [ -f "$PG_DIR/data/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
  fi
}

# ---------------------------------------------------------------------------- vector (PGlite)

up_vector() {
  local dir="$RUN/vector"
  if pid_alive "$dir/pid" && port_open "$VECTOR_PORT"; then
    log "vector: already running on 127.0.0.1:$VECTOR_PORT"
  else
    stop_pid "$dir/pid"
    mkdir -p "$dir/data"
    : >"$dir/server.log"
    start_bg "$dir/pid" "$dir/server.log" \
      "$REPO_ROOT/node_modules/.bin/pglite-server" --db="$dir/data" --host=127.0.0.1 \
      --port="$VECTOR_PORT" --extensions=@electric-sql/pglite-pgvector:vector --max-connections=8
    wait_for vector "$dir/server.log" 60 port_open "$VECTOR_PORT"
  fi
  node_script vector-schema.ts "postgres://postgres@127.0.0.1:$VECTOR_PORT/postgres" >>"$dir/server.log" 2>&1 ||
    die "vector: creating the embeddings schema failed; log: $dir/server.log"
  log "vector: PGlite with pgvector on 127.0.0.1:$VECTOR_PORT"
}

down_vector() { stop_pid "$RUN/vector/pid"; }

# ---------------------------------------------------------------------------- workload

up_workload() {
  local dir="$RUN/workload"
  if pid_alive "$dir/pid"; then
    log "workload: already running"
    return 0
  fi
  mkdir -p "$dir"
  # Keep the last run's log: a workload that died says why there.
  if [ -s "$dir/workload.log" ]; then mv "$dir/workload.log" "$dir/workload.previous.log"; fi
  : >"$dir/workload.log"
  local pg=""
  pg_ready && pg="postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/platform"
  # The ingestors embed each release's notes through the model server (part model, which may
  # start later: they wait for it) into the pgvector table of the vectors database.
  local vectors=""
  pg_ready && vectors="$PG_VECTORS_URL"
  start_bg "$dir/pid" "$dir/workload.log" env KAFKA_BROKERS="$KAFKA_BOOTSTRAP" \
    PLATFORM_DATABASE_URL="$pg" INGESTOR_DATABASE_URL="$vectors" MODEL_URL="http://127.0.0.1:$MODEL_PORT/v1" \
    node --no-warnings "$REPO_ROOT/sandbox/src/workload.ts"
  wait_for workload "$dir/workload.log" 120 workload_ready "$dir"
  log "workload: producer and consumer groups running (log: $dir/workload.log)"
}

# Ready once it logs so; a workload that died fails the wait at once.
workload_ready() {
  grep -q 'workload running' "$1/workload.log" && return 0
  pid_alive "$1/pid" || { sleep 1; die "workload exited; log: $1/workload.log"; }
  return 1
}

down_workload() { stop_pid "$RUN/workload/pid"; }

# ------------------------------------------------------------------------ parts in sandbox/parts

for part_file in "$REPO_ROOT"/sandbox/parts/*.sh; do
  [ -e "$part_file" ] || continue
  # shellcheck source=/dev/null
  . "$part_file"
done

# ---------------------------------------------------------------------------- commands

# Written to a temporary file and moved into place: two sandbox commands may run at once (the
# test lanes of scripts/test.sh), and a reader never sees half a file.
write_local_config() {
  local tmp="$REPO_ROOT/app-config.local.yaml.$$.tmp"
  cat >"$tmp" <<EOF
# Written by \`scripts/sandbox up\`: points the portal's plugins at the running sandbox.
# Git-ignored; delete it (or run \`scripts/sandbox down\`) to go back to the embedded defaults.
app:
  sandboxBanner: 'Demo: this portal runs on the local sandbox (scripts/sandbox status)'
kafka:
  clientId: platform-portal
  clusters:
    - name: platform-kafka
      brokers: [127.0.0.1:19092, 127.0.0.1:29092, 127.0.0.1:39092]
EOF
  for part in "${ALL_PARTS[@]}"; do
    if is_function "config_$part"; then "config_$part" >>"$tmp"; fi
  done
  mv -f "$tmp" "$REPO_ROOT/app-config.local.yaml"
}

env_cmd() {
  cat <<EOF
export SANDBOX_KAFKA_BROKERS=$KAFKA_BOOTSTRAP
export SANDBOX_KAFKA_LIB=$KAFKA_LIB
export SANDBOX_PG_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/platform
export SANDBOX_PG_BACKSTAGE_URL=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/backstage
export SANDBOX_PG_VECTOR_URL=$PG_VECTORS_URL
export POSTGRES_HOST=127.0.0.1 POSTGRES_PORT=$PG_PORT POSTGRES_USER=$PG_USER POSTGRES_PASSWORD=$PG_PASSWORD
export SANDBOX_VECTOR_URL=postgres://postgres@127.0.0.1:$VECTOR_PORT/postgres
export SANDBOX_CLI=$REPO_ROOT/scripts/sandbox
EOF
  for part in "${ALL_PARTS[@]}"; do
    if is_function "env_$part"; then "env_$part"; fi
  done
}

status_cmd() {
  for n in 1 2 3; do
    local f
    f="$(kafka_node_dir "$n")/pid"
    if pid_alive "$f"; then echo "kafka-$n    running  pid $(cat "$f")  127.0.0.1:${KAFKA_PORTS[$((n - 1))]}"; else echo "kafka-$n    stopped"; fi
  done
  if pg_ready 2>/dev/null; then echo "postgres   running  pid $(head -n1 "$PG_DIR/data/postmaster.pid")  127.0.0.1:$PG_PORT"; else echo "postgres   stopped"; fi
  if pid_alive "$RUN/vector/pid"; then echo "vector     running  pid $(cat "$RUN/vector/pid")  127.0.0.1:$VECTOR_PORT"; else echo "vector     stopped"; fi
  if pid_alive "$RUN/workload/pid"; then echo "workload   running  pid $(cat "$RUN/workload/pid")"; else echo "workload   stopped"; fi
  for part in "${ALL_PARTS[@]}"; do
    if is_function "status_$part"; then "status_$part"; fi
  done
}

logs_cmd() {
  case "${1:-}" in
    kafka) tail -n 50 "$RUN"/kafka/node*/logs/server.log ;;
    postgres) tail -n 50 "$PG_DIR/server.log" ;;
    vector) tail -n 50 "$RUN/vector/server.log" ;;
    workload) tail -n 50 "$RUN/workload/workload.log" ;;
    *)
      local part="${1:-}"
      if [ -z "$part" ] || ! is_function "logs_$part"; then
        die "usage: sandbox logs PART (parts: ${ALL_PARTS[*]})"
      fi
      "logs_$part"
      ;;
  esac
}

# What a plain `up` / `build` does: every part but the opt-in ones.
default_parts() {
  local part
  for part in "${ALL_PARTS[@]}"; do
    [[ " ${OPT_IN_PARTS[*]} " == *" $part "* ]] || echo "$part"
  done
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    up)
      local parts=("$@")
      # shellcheck disable=SC2207
      [ ${#parts[@]} -eq 0 ] && parts=($(default_parts))
      ensure_deps
      reserve_ports
      local t0=$SECONDS
      for part in "${ALL_PARTS[@]}"; do
        # Start in dependency order, whatever order they were named in.
        [[ " ${parts[*]} " == *" $part "* ]] && "up_$part"
      done
      for part in "${parts[@]}"; do
        [[ " ${ALL_PARTS[*]} " == *" $part "* ]] || die "unknown part '$part' (parts: ${ALL_PARTS[*]})"
      done
      write_local_config
      log "sandbox up (${parts[*]}) in $((SECONDS - t0)) s; settings: scripts/sandbox env"
      ;;
    build)
      # Only what `up` builds or fetches first (binaries, jars, packages, model files), through
      # the same functions and stamps, so that `up` then finds it done; starts nothing and needs
      # no node_modules (scripts/test.sh runs `build k8s` beside yarn install).
      local parts=("$@")
      # shellcheck disable=SC2207
      [ ${#parts[@]} -eq 0 ] && parts=($(default_parts))
      for part in "${parts[@]}"; do
        [[ " ${ALL_PARTS[*]} " == *" $part "* ]] || die "unknown part '$part' (parts: ${ALL_PARTS[*]})"
      done
      local t0=$SECONDS
      for part in "${ALL_PARTS[@]}"; do
        if [[ " ${parts[*]} " == *" $part "* ]] && is_function "build_$part"; then "build_$part"; fi
      done
      log "sandbox build (${parts[*]}) in $((SECONDS - t0)) s"
      ;;
    down)
      local pids=() cpu=() part_pids slow=()
      # The parts that took 5 s or more to stop, named in the last line.
      timed_down() {
        local t0=$SECONDS
        "down_$1"
        [ $((SECONDS - t0)) -lt 5 ] || slow+=("$1 $((SECONDS - t0)) s")
      }
      # Each running part's PIDs, and what it used of the CPU since it started (where a test
      # run's time went).
      collect() {
        # shellcheck disable=SC2207
        part_pids=($("$@"))
        # The figure is only information: down goes on without it.
        [ ${#part_pids[@]} -eq 0 ] || cpu+=("$part $(cpu_seconds "${part_pids[@]}" || echo '?') s")
        pids+=("${part_pids[@]}")
      }
      for part in kafka vector workload postgres; do collect core_pids "$part"; done
      local i
      for ((i = ${#ALL_PARTS[@]} - 1; i >= 0; i--)); do
        part="${ALL_PARTS[$i]}"
        if is_function "pids_$part"; then
          collect "pids_$part"
          timed_down "$part"
        fi
      done
      for part in workload vector kafka postgres; do timed_down "$part"; done
      rm -f "$REPO_ROOT/app-config.local.yaml"
      # A killed process may take a moment to disappear from the process table.
      for pid in "${pids[@]}"; do
        for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        if kill -0 "$pid" 2>/dev/null; then die "sandbox down left process $pid running"; fi
      done
      log "sandbox down (${#pids[@]} processes stopped${slow[*]:+; slow to stop: $(IFS=,; echo "${slow[*]}" | sed 's/,/, /g')})${cpu[*]:+; CPU time while up: $(IFS=,; echo "${cpu[*]}" | sed 's/,/, /g')}"
      ;;
    status) status_cmd ;;
    env) env_cmd ;;
    logs) logs_cmd "$@" ;;
    kafka) kafka_cmd "$@" ;;
    *)
      if [ -n "$cmd" ] && is_function "cmd_$cmd"; then
        "cmd_$cmd" "$@"
        return
      fi
      sed -n '2,/^[^#]/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
      [ -z "$cmd" ] || die "unknown command '$cmd'"
      ;;
  esac
}

main "$@"
