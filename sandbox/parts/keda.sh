# shellcheck shell=bash
# KEDA in the sandbox: the real operator (github.com/kedacore/keda/v2, pinned in sandbox/keda),
# built from its Go module and run on the host against the k8s part's kube-apiserver, with its
# Kafka scaler reading the sandbox's three brokers. Its CRDs come from the same module and
# replace the reduced ScaledObject CRD of sandbox/k8s/cluster/00-crds.yaml.
#
# What runs and what does not: the operator reconciles ScaledObjects, writes their status
# (Ready, Active, Fallback, Paused), creates the HPA for each and scales a target between 0 and
# 1 itself (activation). KEDA's metrics server (the external.metrics.k8s.io API behind the
# aggregation layer) is not run: the HPA KEDA creates is real, but the controller-manager's HPA
# controller cannot read the metric, so it reports ScalingActive False (FailedGetExternalMetric)
# and does not scale above minReplicaCount / 1, which the portal explains as such.
#
# The operator acts as the sandbox's admin identity (system:masters) and watches every namespace
# (WATCH_NAMESPACE empty); no admission webhooks run.

ALL_PARTS+=(keda)

KEDA_VERSION="v2.21.0"
KEDA_BIN="$PORTAL_CACHE/keda-$KEDA_VERSION/bin"
KEDA_SRC="$REPO_ROOT/sandbox/keda"
KEDA_DIR="$RUN/keda"
KEDA_METRICS_PORT=58090
KEDA_PROBE_PORT=58091
KEDA_GRPC_PORT=58092
KEDA_CRDS=(keda.sh_scaledobjects.yaml keda.sh_scaledjobs.yaml keda.sh_triggerauthentications.yaml
  keda.sh_clustertriggerauthentications.yaml eventing.keda.sh_cloudeventsources.yaml
  eventing.keda.sh_clustercloudeventsources.yaml)

# Rebuilt when sandbox/keda's go.mod or go.sum changes (its pinned version). Sets KEDA_BUILT.
ensure_keda_binary() {
  command -v go >/dev/null || die "keda: Go is needed to build the KEDA operator"
  KEDA_BUILT=""
  local stamp
  stamp="$(module_stamp "$KEDA_SRC/go.mod" "$KEDA_SRC/go.sum")"
  if [ "$(cat "$KEDA_BIN/.stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$KEDA_SRC" && step "keda: building the KEDA $KEDA_VERSION operator (~6 min cold, seconds warm)" \
      go_env nice -n 10 go build -trimpath -ldflags "-s -w" -o "$KEDA_BIN/keda" \
      github.com/kedacore/keda/v2/cmd/operator)
    echo "$stamp" >"$KEDA_BIN/.stamp"
    KEDA_BUILT=" operator"
  fi
}

build_keda() {
  ensure_keda_binary
  if [ -z "$KEDA_BUILT" ]; then log "keda: KEDA $KEDA_VERSION operator cached (stamp in $KEDA_BIN)"; fi
}

# The module's own CRDs (config/crd/bases), from the Go module cache the build filled.
keda_crd_dir() {
  local dir
  dir="$(cd "$KEDA_SRC" && go_env go list -m -f '{{.Dir}}' github.com/kedacore/keda/v2)" ||
    die "keda: cannot find the KEDA module in the Go module cache; run: scripts/sandbox build keda"
  echo "$dir/config/crd/bases"
}

# The certificates of the operator's gRPC metrics service (read from --cert-dir: ca.crt,
# tls.crt, tls.key); signed by the k8s part's CA.
keda_write_certs() {
  local certs="$KEDA_DIR/certs" pki="$K8S_DIR/pki"
  [ -f "$certs/tls.crt" ] && [ "$certs/tls.crt" -nt "$pki/ca.crt" ] && return 0
  mkdir -p "$certs"
  (
    cd "$certs"
    openssl req -newkey rsa:2048 -nodes -keyout tls.key -out tls.csr -subj "/CN=keda-operator" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,DNS:keda-operator,DNS:keda-operator.keda.svc,IP:127.0.0.1" >tls.ext
    openssl x509 -req -in tls.csr -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
      -out tls.crt -days 3650 -extfile tls.ext 2>/dev/null
    cp "$pki/ca.crt" ca.crt
  ) || die "keda: creating the operator's certificates with openssl failed"
}

keda_apply_crds() {
  local dir files=() f
  dir="$(keda_crd_dir)"
  for f in "${KEDA_CRDS[@]}"; do files+=(-f "$dir/$f"); done
  step "keda: applying KEDA's CRDs" \
    kubectl_admin apply --server-side --force-conflicts --field-manager sandbox "${files[@]}"
  kubectl_admin wait --for condition=established --timeout 30s \
    crd/scaledobjects.keda.sh crd/scaledjobs.keda.sh crd/triggerauthentications.keda.sh >/dev/null
}

# The cluster's manifests name the in-cluster bootstrap service; the operator runs on the host,
# so llm-ingestors' trigger reads the sandbox's brokers instead.
keda_point_triggers_at_sandbox() {
  local brokers
  brokers="$(printf '127.0.0.1:%s,' "${KAFKA_PORTS[@]}")"
  kubectl_admin patch scaledobject llm-ingestors -n ml --type json -p "[{\"op\":\"replace\",
    \"path\":\"/spec/triggers/0/metadata/bootstrapServers\",\"value\":\"${brokers%,}\"}]" >/dev/null ||
    die "keda: pointing llm-ingestors' kafka trigger at the sandbox's brokers failed"
}

keda_ready() { curl -fsS "http://127.0.0.1:$KEDA_PROBE_PORT/readyz" >/dev/null; }

# The operator has reconciled llm-ingestors: Ready, and the HPA it creates exists.
keda_reconciled() {
  [ "$(kubectl_admin get scaledobject llm-ingestors -n ml \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ] &&
    kubectl_admin get hpa keda-hpa-llm-ingestors -n ml >/dev/null 2>&1
}

up_keda() {
  ensure_keda_binary
  pid_alive "$K8S_DIR/apiserver.pid" || die "keda: needs the k8s part (scripts/sandbox up kafka k8s keda)"
  [ "$(kafka_running)" -gt 0 ] || die "keda: needs the kafka part (scripts/sandbox up kafka k8s keda)"
  if pid_alive "$KEDA_DIR/operator.pid" && keda_ready; then
    log "keda: operator already running (probe on 127.0.0.1:$KEDA_PROBE_PORT)"
    return 0
  fi
  local t0=$SECONDS
  stop_pid "$KEDA_DIR/operator.pid"
  mkdir -p "$KEDA_DIR/logs"
  keda_write_certs
  keda_apply_crds
  keda_point_triggers_at_sandbox
  start_bg "$KEDA_DIR/operator.pid" "$KEDA_DIR/logs/operator.log" \
    env KUBECONFIG="$K8S_DIR/admin.kubeconfig" WATCH_NAMESPACE= POD_NAMESPACE=keda KEDA_CLUSTER_OBJECT_NAMESPACE=keda \
    "$KEDA_BIN/keda" --zap-log-level=info --zap-encoder=console \
    --metrics-bind-address "127.0.0.1:$KEDA_METRICS_PORT" \
    --health-probe-bind-address "127.0.0.1:$KEDA_PROBE_PORT" \
    --metrics-service-bind-address "127.0.0.1:$KEDA_GRPC_PORT" \
    --cert-dir "$KEDA_DIR/certs" --enable-cert-rotation=false --leader-elect=false \
    --k8s-cluster-name "$K8S_CLUSTER_NAME"
  wait_for "keda: operator" "$KEDA_DIR/logs/operator.log" 60 keda_ready
  wait_for "keda: llm-ingestors reconciled (Ready, HPA created)" "$KEDA_DIR/logs/operator.log" 60 keda_reconciled
  log "keda: operator $KEDA_VERSION ready in $((SECONDS - t0)) s (log: $KEDA_DIR/logs/operator.log; no metrics server, see sandbox/parts/keda.sh)"
}

# The k8s part's control_plane_* functions, over the one process (run/keda/operator.pid).
down_keda() { control_plane_down "$KEDA_DIR" operator; }
pids_keda() { control_plane_pids "$KEDA_DIR" operator; }
status_keda() { control_plane_status keda "$KEDA_DIR" operator; }
env_keda() {
  cat <<EOF
export SANDBOX_KEDA_LOG=$KEDA_DIR/logs/operator.log
EOF
}
logs_keda() { tail -n 40 "$KEDA_DIR/logs/operator.log"; }
