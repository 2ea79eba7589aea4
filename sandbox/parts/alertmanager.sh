# shellcheck shell=bash
# The sandbox's Alertmanager: Debian's prometheus-alertmanager (0.25), receiving what the
# metrics part's Prometheus fires from the platform's rules
# (templates/eks-cluster/prometheus/platform-rules.yaml). It notifies nobody (one receiver with
# no integrations); the portal reads its API v2 for the alerts and their silences
# (clusterHealth.alertmanagers, written into app-config.local.yaml for eks-data-platform).
# `scripts/sandbox alertmanager stop | start` takes it away and back (its silences are kept).

ALL_PARTS+=(alertmanager)

ALERTMANAGER_PORT=59093
ALERTMANAGER_RUN="$RUN/alertmanager"

ensure_alertmanager_installed() {
  command -v prometheus-alertmanager >/dev/null && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  step "alertmanager: installing Debian's prometheus-alertmanager" \
    env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends prometheus-alertmanager
}

build_alertmanager() {
  if command -v prometheus-alertmanager >/dev/null; then log "alertmanager: installed"; fi
  ensure_alertmanager_installed
}

alertmanager_write_config() {
  cat >"$ALERTMANAGER_RUN/alertmanager.yml" <<YAML
route:
  receiver: nobody
  group_by: [alertname, namespace]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: nobody
YAML
}

alertmanager_ready() { curl -fsS "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" >/dev/null; }

alertmanager_start() {
  pid_alive "$ALERTMANAGER_RUN/pid" && return 0
  mkdir -p "$ALERTMANAGER_RUN/data"
  alertmanager_write_config
  # --cluster.listen-address= : no gossip port (it would listen on every interface).
  start_bg "$ALERTMANAGER_RUN/pid" "$ALERTMANAGER_RUN/alertmanager.log" prometheus-alertmanager \
    --config.file="$ALERTMANAGER_RUN/alertmanager.yml" --storage.path="$ALERTMANAGER_RUN/data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --web.external-url="http://127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address=
  wait_for "alertmanager" "$ALERTMANAGER_RUN/alertmanager.log" 30 alertmanager_ready
}

up_alertmanager() {
  ensure_alertmanager_installed
  if pid_alive "$ALERTMANAGER_RUN/pid" && alertmanager_ready; then
    log "alertmanager: already running on http://127.0.0.1:$ALERTMANAGER_PORT"
    return 0
  fi
  # Silences and notification state of an earlier run are not kept across `up`.
  stop_pid "$ALERTMANAGER_RUN/pid"
  rm -rf "$ALERTMANAGER_RUN/data" "$ALERTMANAGER_RUN/held-down"
  alertmanager_start
  log "alertmanager: Alertmanager on http://127.0.0.1:$ALERTMANAGER_PORT"
}

down_alertmanager() {
  stop_pid "$ALERTMANAGER_RUN/pid"
  rm -f "$ALERTMANAGER_RUN/held-down"
}
pids_alertmanager() {
  pid_alive "$ALERTMANAGER_RUN/pid" && cat "$ALERTMANAGER_RUN/pid"
  return 0
}
status_alertmanager() {
  if pid_alive "$ALERTMANAGER_RUN/pid"; then
    echo "alertmanager running  pid $(cat "$ALERTMANAGER_RUN/pid")  127.0.0.1:$ALERTMANAGER_PORT"
  else echo "alertmanager stopped"; fi
}
env_alertmanager() { echo "export SANDBOX_ALERTMANAGER_URL=http://127.0.0.1:$ALERTMANAGER_PORT"; }
logs_alertmanager() { tail -n 30 "$ALERTMANAGER_RUN/alertmanager.log"; }

# While it runs, or while `alertmanager stop` holds it down (what the portal must then report).
config_alertmanager() {
  pid_alive "$ALERTMANAGER_RUN/pid" || [ -f "$ALERTMANAGER_RUN/held-down" ] || return 0
  cat <<YAML
clusterHealth:
  alertmanagers:
    - cluster: $K8S_CLUSTER_NAME
      url: http://127.0.0.1:$ALERTMANAGER_PORT
YAML
}

cmd_alertmanager() {
  case "${1:-}" in
    stop)
      stop_pid "$ALERTMANAGER_RUN/pid"
      touch "$ALERTMANAGER_RUN/held-down"
      log "alertmanager: stopped (its data kept)"
      ;;
    start)
      rm -f "$ALERTMANAGER_RUN/held-down"
      alertmanager_start
      log "alertmanager: started again on http://127.0.0.1:$ALERTMANAGER_PORT"
      ;;
    *) die "usage: sandbox alertmanager stop | start" ;;
  esac
}
