# shellcheck shell=bash
# The sandbox's second cluster: the on-prem k3s cluster of shared/seeds/004 ("helix"), stored
# the way k3s stores its state: kube-apiserver speaks the etcd API to kine, which keeps it in
# SQLite. The same kube-apiserver, controller-manager, scheduler and KWOK binaries as the k8s
# part (sandbox/parts/k8s.sh, whose functions run here with this cluster's directory, ports and
# name), its own certificates and identities (admin, portal, restricted, viewer), nodes
# labelled as k3s labels them, and the objects of sandbox/helix/cluster. Starts and stops on
# its own; `scripts/sandbox k8s --cluster helix ...` (or `scripts/sandbox helix ...`) addresses it.

ALL_PARTS+=(helix)

KINE_VERSION="v0.17.5"
KINE_BIN="$PORTAL_CACHE/kine-$KINE_VERSION/bin"
KINE_SRC="$REPO_ROOT/sandbox/kine"
HELIX_DIR="$RUN/helix"
HELIX_API_PORT=56444
KINE_PORT=52479
HELIX_CLUSTER_NAME=helix
HELIX_SRC="$REPO_ROOT/sandbox/helix"

# Runs a k8s.sh function against this cluster: its run directory, API port, datastore port and
# name, in a subshell so the k8s part's settings stay as they are.
with_helix() {
  (
    K8S_DIR="$HELIX_DIR"
    K8S_API_PORT=$HELIX_API_PORT
    ETCD_PORT=$KINE_PORT
    K8S_CLUSTER_NAME=$HELIX_CLUSTER_NAME
    K8S_POD_CIDR=10.42.0.0/16
    "$@"
  )
}

kubectl_helix() { "$K8S_BIN/kubectl" --kubeconfig "$HELIX_DIR/admin.kubeconfig" "$@"; }

# kine with SQLite needs cgo (k3s builds it so: mattn/go-sqlite3); rebuilt when sandbox/kine's
# go.mod or go.sum changes. Sets HELIX_BUILT to what it built.
ensure_kine_binary() {
  command -v go >/dev/null || die "helix: Go is needed to build kine"
  command -v gcc >/dev/null || die "helix: gcc is needed to build kine with SQLite (cgo): apt-get install -y gcc"
  HELIX_BUILT=""
  local stamp
  stamp="$(module_stamp "$KINE_SRC/go.mod" "$KINE_SRC/go.sum")"
  if [ "$(cat "$KINE_BIN/.stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$KINE_SRC" && step "helix: building kine $KINE_VERSION with SQLite (~2 min cold, seconds warm)" \
      go_env CGO_ENABLED=1 nice -n 10 go build -trimpath -tags sqlite_unlock_notify \
      -ldflags "-s -w" -o "$KINE_BIN/kine" github.com/k3s-io/kine)
    echo "$stamp" >"$KINE_BIN/.stamp"
    HELIX_BUILT+=" kine"
  fi
}

build_helix() {
  ensure_k8s_binaries
  ensure_kine_binary
  if [ -z "$K8S_BUILT$HELIX_BUILT" ]; then
    log "helix: kine $KINE_VERSION and the Kubernetes binaries cached (stamps in $KINE_BIN, $K8S_BIN)"
  else
    log "helix: built${K8S_BUILT}${HELIX_BUILT}"
  fi
}

helix_start_kine() {
  pid_alive "$HELIX_DIR/kine.pid" && return 0
  mkdir -p "$HELIX_DIR/db"
  start_bg "$HELIX_DIR/kine.pid" "$HELIX_DIR/logs/kine.log" "$KINE_BIN/kine" \
    --listen-address "127.0.0.1:$KINE_PORT" \
    --endpoint "sqlite://$HELIX_DIR/db/state.db?_journal=WAL&cache=shared&_busy_timeout=30000" \
    --metrics-bind-address 0 --compact-interval 5m
  wait_for "helix: kine" "$HELIX_DIR/logs/kine.log" 30 \
    "$ETCD_BIN/etcdctl" --endpoints "127.0.0.1:$KINE_PORT" get /registry/health
}

helix_settled() {
  local pods
  pods="$(kubectl_helix get pods -A --no-headers -o custom-columns='NS:.metadata.namespace,NAME:.metadata.name,PHASE:.status.phase,NODE:.spec.nodeName,WAITING:.status.containerStatuses[0].state.waiting.reason')"
  awk '$3 == "Pending" && $4 != "<none>" && $5 == "<none>" { n++ } END { exit (n > 0) }' <<<"$pods" || return 1
  grep -qE '^network\s+cloudflared-\S+.*CrashLoopBackOff' <<<"$pods" || return 1
  grep -qE '^staging\s+helix-api-\S+.*ImagePullBackOff' <<<"$pods" || return 1
  [ "$(kubectl_helix get nodes --no-headers | grep -c ' Ready ')" = 7 ]
}

# What Strimzi's and Flux's operators would report: the Kafka cluster ready, each topic ready but
# one whose replication factor exceeds the brokers, two Kustomizations applied and one failing.
helix_set_statuses() {
  local now
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  kubectl_helix patch kafka helix-kafka -n data-plane --subresource status --type merge -p "{
    \"status\":{\"observedGeneration\":1,\"kafkaVersion\":\"3.9.0\",\"clusterId\":\"hQ3YdQ9xRUGJ0m2fK7n1xw\",
    \"listeners\":[{\"name\":\"plain\",\"bootstrapServers\":\"helix-kafka-kafka-bootstrap.data-plane.svc:9092\"}],
    \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
  local topic
  for topic in helix-events helix-audit-log discord-messages; do
    kubectl_helix patch kafkatopic "$topic" -n data-plane --subresource status --type merge -p "{
      \"status\":{\"observedGeneration\":1,\"topicName\":\"$topic\",
      \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
  done
  kubectl_helix patch kafkatopic ai-completions -n data-plane --subresource status --type merge -p "{
    \"status\":{\"observedGeneration\":1,\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",
    \"reason\":\"KafkaError\",\"message\":\"org.apache.kafka.common.errors.InvalidReplicationFactorException: Replication factor: 4 larger than available brokers: 3.\",
    \"lastTransitionTime\":\"$now\"}]}}" >/dev/null
  local ks
  for ks in flux-system infrastructure; do
    kubectl_helix patch kustomization "$ks" -n flux-system --subresource status --type merge -p "{
      \"status\":{\"observedGeneration\":1,\"lastAppliedRevision\":\"main@sha1:5b0c8e2\",
      \"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"ReconciliationSucceeded\",
      \"message\":\"Applied revision: main@sha1:5b0c8e2\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
  done
  kubectl_helix patch kustomization apps -n flux-system --subresource status --type merge -p "{
    \"status\":{\"observedGeneration\":1,\"lastAttemptedRevision\":\"main@sha1:5b0c8e2\",
    \"lastAppliedRevision\":\"main@sha1:91d4a07\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",
    \"reason\":\"BuildFailed\",\"message\":\"kustomize build failed: accumulating resources: accumulation err='accumulating resources from 'flagsmith': ... no such file or directory'\",
    \"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

helix_apply_cluster() {
  local cluster="$HELIX_SRC/cluster"
  step "helix: applying the CRDs" \
    kubectl_helix apply --server-side --field-manager sandbox -f "$cluster/00-crds.yaml"
  kubectl_helix wait --for condition=established --timeout 30s \
    crd/kafkas.kafka.strimzi.io crd/kafkatopics.kafka.strimzi.io \
    crd/kustomizations.kustomize.toolkit.fluxcd.io >/dev/null
  kubectl_helix apply --server-side --force-conflicts --field-manager sandbox -f "$cluster/" >/dev/null ||
    die "helix: applying sandbox/helix/cluster failed; log: $HELIX_DIR/logs/kube-apiserver.log"
  helix_set_statuses
  with_helix k8s_issue_portal_token
}

up_helix() {
  ensure_k8s_binaries
  ensure_kine_binary
  if [ -f "$HELIX_DIR/ready" ] && pid_alive "$HELIX_DIR/apiserver.pid" &&
    kubectl_helix get --raw /readyz >/dev/null 2>&1; then
    log "helix: already running on https://127.0.0.1:$HELIX_API_PORT"
    return 0
  fi
  local t0=$SECONDS
  # A fresh cluster on every start, as the k8s part does: an empty SQLite database.
  down_helix
  rm -rf "$HELIX_DIR/db" "$HELIX_DIR/kwok-work" "$HELIX_DIR/kube-cache"
  mkdir -p "$HELIX_DIR/logs"
  with_helix k8s_write_pki
  with_helix k8s_write_tokens
  helix_start_kine
  with_helix k8s_start_apiserver
  with_helix k8s_start_controllers
  with_helix k8s_start_kwok
  helix_apply_cluster
  wait_for "helix: pods reaching their states" "$HELIX_DIR/logs/kwok.log" 90 helix_settled
  touch "$HELIX_DIR/ready"
  log "helix: cluster $HELIX_CLUSTER_NAME (kube-apiserver on kine + SQLite) on https://127.0.0.1:$HELIX_API_PORT ready in $((SECONDS - t0)) s"
}

# The k8s part's control_plane_* functions, over helix's processes (kine in place of etcd).
down_helix() { control_plane_down "$HELIX_DIR" kwok scheduler controller-manager apiserver kine; }
pids_helix() { control_plane_pids "$HELIX_DIR" kwok scheduler controller-manager apiserver kine; }
status_helix() { control_plane_status helix "$HELIX_DIR" kine apiserver controller-manager scheduler kwok; }

env_helix() {
  cat <<EOF
export SANDBOX_HELIX_URL=https://127.0.0.1:$HELIX_API_PORT
export SANDBOX_HELIX_CA=$HELIX_DIR/pki/ca.crt
export SANDBOX_HELIX_KUBECONFIG=$HELIX_DIR/admin.kubeconfig
export SANDBOX_HELIX_PORTAL_KUBECONFIG=$HELIX_DIR/portal.kubeconfig
export SANDBOX_HELIX_RESTRICTED_KUBECONFIG=$HELIX_DIR/restricted.kubeconfig
export SANDBOX_HELIX_VIEWER_KUBECONFIG=$HELIX_DIR/viewer.kubeconfig
EOF
}

helix_running() { pid_alive "$HELIX_DIR/apiserver.pid" && [ -f "$HELIX_DIR/tokens/portal" ]; }

# The cluster's entry under kubernetes.clusterLocatorMethods[0].clusters (indented for it).
helix_cluster_entry() {
  cat <<EOF
        - name: $HELIX_CLUSTER_NAME
          title: Helix AI on-prem k3s (sandbox)
          url: https://127.0.0.1:$HELIX_API_PORT
          authProvider: serviceAccount
          serviceAccountToken: $(cat "$HELIX_DIR/tokens/portal")
          caFile: $HELIX_DIR/pki/ca.crt
EOF
}

# app-config.local.yaml has one `kubernetes` block: while the k8s part runs, its fragment lists
# this cluster too (config_k8s); alone, this part writes the block.
config_helix() {
  helix_running || return 0
  pid_alive "$K8S_DIR/apiserver.pid" && [ -f "$K8S_DIR/tokens/portal" ] && return 0
  cat <<EOF
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
EOF
  helix_cluster_entry
}

logs_helix() { tail -n 20 "$HELIX_DIR"/logs/*.log; }

cmd_helix() {
  local action="${1:-}"
  shift || true
  case "$action" in
    kubectl) kubectl_helix "$@" ;;
    stop-apiserver)
      stop_pid "$HELIX_DIR/apiserver.pid"
      log "helix: kube-apiserver stopped (kine and the cluster's data kept)"
      ;;
    start-apiserver)
      with_helix k8s_start_apiserver
      log "helix: kube-apiserver started again"
      ;;
    stop-kine)
      stop_pid "$HELIX_DIR/kine.pid"
      log "helix: kine stopped (the API server's etcd checks fail)"
      ;;
    start-kine)
      helix_start_kine
      log "helix: kine started again"
      ;;
    stop-scheduler)
      if [ "${1:-}" = --kill ]; then kill_pid "$HELIX_DIR/scheduler.pid"; else stop_pid "$HELIX_DIR/scheduler.pid"; fi
      log "helix: kube-scheduler stopped"
      ;;
    start-scheduler)
      with_helix k8s_start_scheduler
      with_helix k8s_wait_for_leader kube-scheduler "$HELIX_DIR/logs/kube-scheduler.log"
      log "helix: kube-scheduler started again and leads"
      ;;
    stop-controller-manager)
      stop_pid "$HELIX_DIR/controller-manager.pid"
      log "helix: kube-controller-manager stopped"
      ;;
    start-controller-manager)
      with_helix k8s_start_controller_manager
      with_helix k8s_wait_for_leader kube-controller-manager "$HELIX_DIR/logs/kube-controller-manager.log"
      log "helix: kube-controller-manager started again and leads"
      ;;
    restart)
      down_helix
      up_helix
      write_local_config
      ;;
    *) die "usage: sandbox k8s --cluster helix kubectl ARGS... | restart | stop-apiserver | start-apiserver | stop-kine | start-kine | stop-scheduler [--kill] | start-scheduler | stop-controller-manager | start-controller-manager" ;;
  esac
}
