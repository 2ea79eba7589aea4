# shellcheck shell=bash
# The sandbox's Kubernetes: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
# KWOK (simulated kubelets), all real binaries built from Go modules and run on 127.0.0.1,
# holding the platform's EKS-like cluster of sandbox/k8s/cluster. Sourced by sandbox/sandbox.sh.
#
# Identities (static tokens, see k8s_write_tokens) and what they are for:
#   admin       system:masters: the sandbox itself and kubectl by hand
#   portal      the ServiceAccount platform-portal/platform-portal: the portal's plugins
#               (ClusterRole platform-portal-reader, read-only, plus deploy rights in the
#               namespaces the scaffolder deploys to); its token is a real TokenRequest token
#   restricted  like portal, but may not read PodDisruptionBudgets or GithubReleases (403 tests)
#   viewer      group viewers, bound to the built-in ClusterRole `view` (403 on secrets)

ALL_PARTS+=(k8s)

K8S_VERSION="v1.34.4"
ETCD_VERSION="v3.6.16"
KWOK_VERSION="v0.8.0"
K8S_BIN="$PORTAL_CACHE/k8s-$K8S_VERSION/bin"
ETCD_BIN="$PORTAL_CACHE/etcd-$ETCD_VERSION/bin"
KWOK_BIN="$PORTAL_CACHE/kwok-$KWOK_VERSION/bin"
K8S_DIR="$RUN/k8s"
K8S_API_PORT=56443
ETCD_PORT=52379
ETCD_PEER_PORT=52380
K8S_CLUSTER_NAME=eks-data-platform
K8S_SRC="$REPO_ROOT/sandbox/k8s"

# Go caches live beside the binaries' caches, outside the work tree; no toolchain downloads.
go_env() {
  env GOMODCACHE="$PORTAL_CACHE/go/mod" GOCACHE="$PORTAL_CACHE/go/build" GOTOOLCHAIN=local \
    GOFLAGS=-mod=readonly CGO_ENABLED=0 "$@"
}

# A binary set is rebuilt when its wrapper module (and so its pinned versions) changes.
module_stamp() { cat "$@" | sha256sum | cut -c1-16; }

# Sets K8S_BUILT to the binary sets it built (none: all cached).
ensure_k8s_binaries() {
  command -v go >/dev/null || die "k8s: Go is needed to build the Kubernetes binaries"
  K8S_BUILT=""
  local stamp
  stamp="$(module_stamp "$K8S_SRC/go.mod" "$K8S_SRC/go.sum")"
  if [ "$(cat "$K8S_BIN/.stamp" 2>/dev/null)" != "$stamp" ]; then
    local pkg=k8s.io/client-go/pkg/version base=k8s.io/component-base/version flags=""
    local minor="${K8S_VERSION#v1.}"
    minor="${minor%%.*}"
    for p in "$pkg" "$base"; do
      flags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
      flags+=" -X $p.gitTreeState=clean"
    done
    (cd "$K8S_SRC" && step "k8s: building kube-apiserver, controller-manager, scheduler and kubectl $K8S_VERSION (~8-12 min cold, seconds warm)" \
      go_env nice -n 10 go build -trimpath -ldflags "-s -w$flags" -o "$K8S_BIN/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
    echo "$stamp" >"$K8S_BIN/.stamp"
    K8S_BUILT+=" kubernetes"
  fi
  local etcd_src="$REPO_ROOT/sandbox/etcd"
  stamp="$(module_stamp "$etcd_src/go.mod" "$etcd_src/go.sum")"
  if [ "$(cat "$ETCD_BIN/.stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$etcd_src" && step "k8s: building etcd $ETCD_VERSION (~1 min cold)" \
      go_env nice -n 10 go build -trimpath -ldflags "-s -w" -o "$ETCD_BIN/" \
      go.etcd.io/etcd/server/v3 go.etcd.io/etcd/etcdctl/v3)
    echo "$stamp" >"$ETCD_BIN/.stamp"
    K8S_BUILT+=" etcd"
  fi
  if [ "$(cat "$KWOK_BIN/.stamp" 2>/dev/null)" != "$KWOK_VERSION" ]; then
    step "k8s: building KWOK $KWOK_VERSION (~2 min cold)" \
      go_env GOFLAGS= GOBIN="$KWOK_BIN" nice -n 10 go install -trimpath -ldflags "-s -w" \
      "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
    echo "$KWOK_VERSION" >"$KWOK_BIN/.stamp"
    K8S_BUILT+=" kwok"
  fi
}

# `sandbox build k8s`: exactly what `up k8s` builds first.
build_k8s() {
  ensure_k8s_binaries
  if [ -z "$K8S_BUILT" ]; then
    log "k8s: Kubernetes $K8S_VERSION, etcd $ETCD_VERSION and KWOK $KWOK_VERSION binaries cached" \
      "(stamps in $K8S_BIN, $ETCD_BIN, $KWOK_BIN)"
  else
    log "k8s: built${K8S_BUILT}"
  fi
}

kubectl_admin() { "$K8S_BIN/kubectl" --kubeconfig "$K8S_DIR/admin.kubeconfig" "$@"; }

# ------------------------------------------------------------------ certificates and identities

k8s_write_pki() {
  local pki="$K8S_DIR/pki"
  [ -f "$pki/apiserver.crt" ] && return 0
  mkdir -p "$pki"
  (
    cd "$pki"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 \
      -subj "/CN=platform-portal-sandbox-ca" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout apiserver.key -out apiserver.csr \
      -subj "/CN=kube-apiserver" 2>/dev/null
    printf '%s\n' "subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,IP:127.0.0.1,IP:10.96.0.1" \
      "extendedKeyUsage=serverAuth" >apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  ) || die "k8s: creating certificates with openssl failed"
}

k8s_token() { cat "$K8S_DIR/tokens/$1"; }

k8s_write_tokens() {
  local dir="$K8S_DIR/tokens"
  mkdir -p "$dir"
  for who in admin controller-manager scheduler kwok viewer restricted; do
    [ -f "$dir/$who" ] || head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$dir/$who"
  done
  # token,user,uid,"group1,group2"
  cat >"$K8S_DIR/tokens.csv" <<EOF
$(k8s_token admin),admin,admin,"system:masters"
$(k8s_token controller-manager),system:kube-controller-manager,kcm,"system:masters"
$(k8s_token scheduler),system:kube-scheduler,sched
$(k8s_token kwok),kwok,kwok,"system:masters"
$(k8s_token viewer),viewer,viewer,"viewers"
$(k8s_token restricted),restricted,restricted,"restricted-readers"
EOF
  for who in admin controller-manager scheduler kwok viewer restricted; do
    k8s_write_kubeconfig "$who" "$(k8s_token "$who")"
  done
}

k8s_write_kubeconfig() {
  cat >"$K8S_DIR/$1.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: $K8S_CLUSTER_NAME
    cluster:
      server: https://127.0.0.1:$K8S_API_PORT
      certificate-authority: $K8S_DIR/pki/ca.crt
users:
  - name: $1
    user:
      token: $2
contexts:
  - name: $1@$K8S_CLUSTER_NAME
    context: { cluster: $K8S_CLUSTER_NAME, user: $1 }
current-context: $1@$K8S_CLUSTER_NAME
EOF
}

# ------------------------------------------------------------------ the control plane

k8s_start_etcd() {
  pid_alive "$K8S_DIR/etcd.pid" && return 0
  start_bg "$K8S_DIR/etcd.pid" "$K8S_DIR/logs/etcd.log" "$ETCD_BIN/server" \
    --name sandbox --data-dir "$K8S_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "sandbox=http://127.0.0.1:$ETCD_PEER_PORT" \
    --quota-backend-bytes 4294967296 --log-level warn --unsafe-no-fsync
  wait_for "k8s: etcd" "$K8S_DIR/logs/etcd.log" 30 \
    "$ETCD_BIN/etcdctl" --endpoints "127.0.0.1:$ETCD_PORT" endpoint health
}

k8s_start_apiserver() {
  pid_alive "$K8S_DIR/apiserver.pid" && return 0
  local pki="$K8S_DIR/pki"
  start_bg "$K8S_DIR/apiserver.pid" "$K8S_DIR/logs/kube-apiserver.log" "$K8S_BIN/kube-apiserver" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$K8S_API_PORT" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" --token-auth-file "$K8S_DIR/tokens.csv" \
    --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/12 --authorization-mode Node,RBAC \
    --endpoint-reconciler-type none --allow-privileged --event-ttl 24h \
    --max-requests-inflight 1000 --max-mutating-requests-inflight 500
  wait_for "k8s: kube-apiserver" "$K8S_DIR/logs/kube-apiserver.log" 60 \
    kubectl_admin get --raw /readyz
}

# Leader election is on, as in a real control plane, so that kube-system holds the Leases
# kube-controller-manager and kube-scheduler that the portal's control plane view reads; short
# timings so a stopped component's Lease goes stale within seconds (tests wait for that).
K8S_LEADER_ELECTION=(--leader-elect=true --leader-elect-lease-duration 15s
  --leader-elect-renew-deadline 10s --leader-elect-retry-period 2s)

# A leader that cannot renew its Lease within the renew deadline (the API server stopped for
# longer, or a starved machine) exits, as it does in a real cluster, where the kubelet starts
# the static pod again. The sandbox does the same: the command runs again whenever it exits, in
# one process group with this loop (stop_pid and kill_pid end both).
# shellcheck disable=SC2016
K8S_SUPERVISE='while :; do "$@"; echo "sandbox: ${1##*/} exited ($?); starting it again in 2 s"; sleep 2; done'

k8s_start_controller_manager() {
  pid_alive "$K8S_DIR/controller-manager.pid" && return 0
  start_bg "$K8S_DIR/controller-manager.pid" "$K8S_DIR/logs/kube-controller-manager.log" \
    bash -c "$K8S_SUPERVISE" supervise "$K8S_BIN/kube-controller-manager" --kubeconfig "$K8S_DIR/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 "${K8S_LEADER_ELECTION[@]}" \
    --service-account-private-key-file "$K8S_DIR/pki/sa.key" --root-ca-file "$K8S_DIR/pki/ca.crt" \
    --node-monitor-period 25s --node-monitor-grace-period 3m20s \
    --kube-api-qps 500 --kube-api-burst 1000
}

k8s_start_scheduler() {
  pid_alive "$K8S_DIR/scheduler.pid" && return 0
  start_bg "$K8S_DIR/scheduler.pid" "$K8S_DIR/logs/kube-scheduler.log" \
    bash -c "$K8S_SUPERVISE" supervise "$K8S_BIN/kube-scheduler" --kubeconfig "$K8S_DIR/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port 0 "${K8S_LEADER_ELECTION[@]}" \
    --kube-api-qps 500 --kube-api-burst 1000
}

k8s_start_controllers() {
  k8s_start_controller_manager
  k8s_start_scheduler
}

# SIGKILL, as a crash (nothing is released); the pid file goes.
kill_pid() {
  if pid_alive "$1"; then
    local pid
    pid="$(cat "$1")"
    kill -KILL "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$1"
}

# Waits until COMPONENT's Lease in kube-system names a holder that renewed it within its
# duration (the component leads again).
k8s_wait_for_leader() {
  local component="$1" log="$2"
  wait_for "k8s: $component leading" "$log" 60 k8s_leads "$component"
}

k8s_leads() {
  local spec renew duration holder
  spec="$(kubectl_admin get lease "$1" -n kube-system \
    -o jsonpath='{.spec.holderIdentity} {.spec.renewTime} {.spec.leaseDurationSeconds}' 2>/dev/null)" || return 1
  read -r holder renew duration <<<"$spec"
  [ -n "$holder" ] && [ -n "$renew" ] || return 1
  [ $(($(date +%s) - $(date -d "$renew" +%s))) -le "${duration:-15}" ]
}

# KWOK's stages: its own node and pod life cycle from the module, with pods labelled
# sandbox.ml-platform.io/fault left to ours (sandbox/k8s/stages.yaml: crash loops, image pulls,
# failing Job pods).
k8s_write_kwok_config() {
  local stages
  stages="$PORTAL_CACHE/go/mod/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  [ -d "$stages" ] || die "k8s: KWOK's stage files are missing from the Go module cache ($stages)"
  {
    cat "$stages/node/fast/node-initialize.yaml"
    echo "---"
    cat "$stages/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"
    for f in pod-ready pod-complete; do
      echo "---"
      # The fault stages own labelled pods: keep the default stages away from them.
      awk '{ print } /^    matchExpressions:$/ && !done {
        print "    - key: '"'"'.metadata.labels[\"sandbox.ml-platform.io/fault\"]'"'"'"
        print "      operator: '"'"'DoesNotExist'"'"'"
        done = 1 }' "$stages/pod/fast/$f.yaml"
    done
    echo "---"
    cat "$stages/pod/fast/pod-delete.yaml"
    echo "---"
    cat "$K8S_SRC/stages.yaml"
  } >"$K8S_DIR/kwok.yaml"
}

k8s_start_kwok() {
  pid_alive "$K8S_DIR/kwok.pid" && return 0
  k8s_write_kwok_config
  mkdir -p "$K8S_DIR/kwok-work"
  start_bg "$K8S_DIR/kwok.pid" "$K8S_DIR/logs/kwok.log" \
    env KWOK_WORKDIR="$K8S_DIR/kwok-work" KUBECACHEDIR="$K8S_DIR/kube-cache" \
    "$KWOK_BIN/kwok" --kubeconfig "$K8S_DIR/kwok.kubeconfig" --config "$K8S_DIR/kwok.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 200 --node-ip 127.0.0.1 --cidr "${K8S_POD_CIDR:-10.0.0.0/16}"
}

# ------------------------------------------------------------------ the platform's cluster

k8s_apply_cluster() {
  local cluster="$K8S_SRC/cluster"
  step "k8s: applying the CRDs" \
    kubectl_admin apply --server-side --field-manager sandbox -f "$cluster/00-crds.yaml"
  kubectl_admin wait --for condition=established --timeout 30s \
    crd/githubreleases.platform.example.com crd/scaledobjects.keda.sh \
    crd/virtualservices.networking.istio.io >/dev/null
  # The NotReady node must say so before any pod exists, or the scheduler may use it.
  kubectl_admin apply --server-side --field-manager sandbox -f "$cluster/20-nodes.yaml" >/dev/null
  k8s_mark_node_not_ready
  kubectl_admin apply --server-side --force-conflicts --field-manager sandbox -f "$cluster/" >/dev/null ||
    die "k8s: applying sandbox/k8s/cluster failed; log: $K8S_DIR/logs/kube-apiserver.log"
  k8s_start_release_jobs
  k8s_issue_portal_token
  # A new release of webapp-consumer whose image tag does not exist: the rollout stalls with
  # the old pods serving.
  kubectl_admin rollout status deployment/webapp-consumer -n data --timeout 60s >/dev/null ||
    die "k8s: webapp-consumer did not roll out; log: $K8S_DIR/logs/kwok.log"
  kubectl_admin patch deployment webapp-consumer -n data -p '{"spec":{"template":{
    "metadata":{"labels":{"sandbox.ml-platform.io/fault":"image-pull"}},
    "spec":{"containers":[{"name":"webapp-consumer","image":"ghcr.io/ml-platform/webapp-consumer:1.9.0-rc1"}]}}}}' \
    >/dev/null
}

# The node group `general` has one node whose kubelet stopped reporting: KWOK does not manage
# it (no kwok.x-k8s.io/node annotation), and its status says so.
k8s_mark_node_not_ready() {
  local now
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  kubectl_admin patch node ip-10-0-3-47.eu-west-1.compute.internal --subresource status \
    --type merge -p "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",
      \"reason\":\"KubeletNotReady\",\"message\":\"container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:aws-node CNI plugin not initialized\",
      \"lastHeartbeatTime\":\"$now\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

# GithubRelease objects and the producer Jobs the operator started for them (owner references
# need the objects' UIDs, so the Jobs are made here rather than in the manifests).
k8s_start_release_jobs() {
  local name outcome uid
  while read -r name outcome; do
    uid="$(kubectl_admin get githubrelease -n operators "$name" -o jsonpath='{.metadata.uid}')"
    local fault_label=""
    [ "$outcome" = failed ] && fault_label="sandbox.ml-platform.io/fault: job-fails"
    kubectl_admin apply --server-side --field-manager github-release-monitor -f - >/dev/null <<EOF
apiVersion: batch/v1
kind: Job
metadata:
  name: produce-$name
  namespace: operators
  labels:
    backstage.io/kubernetes-id: github-release-monitor
    platform.example.com/release: $name
  ownerReferences:
    - apiVersion: platform.example.com/v1alpha1
      kind: GithubRelease
      name: $name
      uid: $uid
      controller: true
spec:
  backoffLimit: 0
  template:
    metadata:
      labels:
        backstage.io/kubernetes-id: github-release-monitor
        platform.example.com/release: $name
        $fault_label
    spec:
      restartPolicy: Never
      containers:
        - name: producer
          image: ghcr.io/ml-platform/release-producer:1.4.2
          args: [--release, $name, --topic, github-releases]
          resources:
            requests: { cpu: 100m, memory: 128Mi }
EOF
    k8s_set_release_status "$name" "$outcome"
  done <<EOF
kafka-v3-9-1 succeeded
vllm-v0-11-0 succeeded
strimzi-0-48-0 failed
EOF
}

k8s_set_release_status() {
  local name="$1" outcome="$2" now phase reason message produced
  now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  if [ "$outcome" = failed ]; then
    phase=Failed reason=JobFailed produced=0
    message="producer Job produce-$name failed: BackoffLimitExceeded"
  else
    phase=Succeeded reason=JobCompleted produced=1
    message="release event written to github-releases"
  fi
  kubectl_admin patch githubrelease "$name" -n operators --subresource status --type merge -p "{
    \"status\":{\"phase\":\"$phase\",\"jobName\":\"produce-$name\",\"messagesProduced\":$produced,
    \"observedGeneration\":1,\"conditions\":[{\"type\":\"Produced\",
    \"status\":\"$([ "$phase" = Succeeded ] && echo True || echo False)\",\"reason\":\"$reason\",
    \"message\":\"$message\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
}

# The portal's ServiceAccount token: a real TokenRequest token (a year long), signed by the
# sandbox's service-account key.
k8s_issue_portal_token() {
  kubectl_admin create token platform-portal -n platform-portal --duration 8760h \
    >"$K8S_DIR/tokens/portal" || die "k8s: issuing the portal's ServiceAccount token failed"
  k8s_write_kubeconfig portal "$(k8s_token portal)"
}

K8S_NOT_READY_NODE=ip-10-0-3-47.eu-west-1.compute.internal

# Settled when KWOK has played every pod on its nodes and each failure case shows.
k8s_settled() {
  local pods
  pods="$(kubectl_admin get pods -A --no-headers -o custom-columns='NAME:.metadata.name,PHASE:.status.phase,NODE:.spec.nodeName,WAITING:.status.containerStatuses[0].state.waiting.reason')"
  # A pod bound to a KWOK node, still Pending with no reason: not played yet.
  awk -v bad="$K8S_NOT_READY_NODE" '$2 == "Pending" && $3 != "<none>" && $3 != bad && $4 == "<none>" { n++ }
    END { exit (n > 0) }' <<<"$pods" || return 1
  grep -q 'release-notifier.*CrashLoopBackOff' <<<"$pods" || return 1
  grep -q 'webapp-consumer.*ImagePullBackOff' <<<"$pods" || return 1
  grep -qE '^llm-chat-server-\S+\s+Pending\s+<none>' <<<"$pods" || return 1
  [ "$(kubectl_admin get job produce-strimzi-0-48-0 -n operators -o jsonpath='{.status.failed}')" = 1 ] || return 1
  [ "$(kubectl_admin get jobs -n operators -o jsonpath='{range .items[*]}{.status.succeeded}{end}')" = 11 ] || return 1
  [ "$(kubectl_admin get nodes --no-headers | grep -c ' Ready ')" = 4 ]
}

up_k8s() {
  ensure_k8s_binaries
  if [ -f "$K8S_DIR/ready" ] && pid_alive "$K8S_DIR/apiserver.pid" &&
    kubectl_admin get --raw /readyz >/dev/null 2>&1; then
    log "k8s: already running on https://127.0.0.1:$K8S_API_PORT"
    return 0
  fi
  local t0=$SECONDS
  # A fresh cluster on every start: the same objects every time, nothing left by earlier tests.
  down_k8s
  rm -rf "$K8S_DIR/etcd" "$K8S_DIR/kwok-work" "$K8S_DIR/kube-cache"
  mkdir -p "$K8S_DIR/logs"
  k8s_write_pki
  k8s_write_tokens
  k8s_start_etcd
  k8s_start_apiserver
  k8s_start_controllers
  k8s_start_kwok
  k8s_apply_cluster
  wait_for "k8s: pods reaching their states" "$K8S_DIR/logs/kwok.log" 90 k8s_settled
  touch "$K8S_DIR/ready"
  log "k8s: cluster $K8S_CLUSTER_NAME on https://127.0.0.1:$K8S_API_PORT ready in $((SECONDS - t0)) s" \
    "(kubeconfig: $K8S_DIR/admin.kubeconfig)"
}

# A control plane's processes, each with DIR/<process>.pid; the k8s and helix parts share these.
# control_plane_down DIR PROCESS...: stops them in the order given (its clients first).
control_plane_down() {
  local dir="$1" p
  shift
  rm -f "$dir/ready"
  for p in "$@"; do stop_pid "$dir/$p.pid"; done
}

# control_plane_pids DIR PROCESS...: the PIDs of those that run.
control_plane_pids() {
  local dir="$1" p
  shift
  for p in "$@"; do
    pid_alive "$dir/$p.pid" && cat "$dir/$p.pid"
  done
  return 0
}

# control_plane_status PREFIX DIR PROCESS...: a status line per process, named PREFIX-PROCESS.
control_plane_status() {
  local prefix="$1" dir="$2" p
  shift 2
  for p in "$@"; do
    if pid_alive "$dir/$p.pid"; then
      printf '%-10s running  pid %s\n' "$prefix-$p" "$(cat "$dir/$p.pid")"
    else
      printf '%-10s stopped\n' "$prefix-$p"
    fi
  done
}

down_k8s() { control_plane_down "$K8S_DIR" kwok scheduler controller-manager apiserver etcd; }
pids_k8s() { control_plane_pids "$K8S_DIR" kwok scheduler controller-manager apiserver etcd; }
status_k8s() { control_plane_status k8s "$K8S_DIR" etcd apiserver controller-manager scheduler kwok; }

env_k8s() {
  cat <<EOF
export SANDBOX_K8S_URL=https://127.0.0.1:$K8S_API_PORT
export SANDBOX_K8S_CA=$K8S_DIR/pki/ca.crt
export SANDBOX_K8S_KUBECONFIG=$K8S_DIR/admin.kubeconfig
export SANDBOX_K8S_PORTAL_KUBECONFIG=$K8S_DIR/portal.kubeconfig
export SANDBOX_K8S_RESTRICTED_KUBECONFIG=$K8S_DIR/restricted.kubeconfig
export SANDBOX_K8S_VIEWER_KUBECONFIG=$K8S_DIR/viewer.kubeconfig
export SANDBOX_KUBECTL=$K8S_BIN/kubectl
EOF
}

# Backstage's own kubernetes config, so the Kubernetes tab and the platform plugins reach it.
config_k8s() {
  pid_alive "$K8S_DIR/apiserver.pid" && [ -f "$K8S_DIR/tokens/portal" ] || return 0
  cat <<EOF
kubernetes:
  serviceLocatorMethod:
    type: multiTenant
  clusterLocatorMethods:
    - type: config
      clusters:
        - name: $K8S_CLUSTER_NAME
          title: EKS data platform (sandbox)
          url: https://127.0.0.1:$K8S_API_PORT
          authProvider: serviceAccount
          serviceAccountToken: $(k8s_token portal)
          caFile: $K8S_DIR/pki/ca.crt
EOF
  # The second cluster (sandbox/parts/helix.sh) in the same list, while it runs.
  if is_function helix_running && helix_running; then helix_cluster_entry; fi
}

logs_k8s() { tail -n 20 "$K8S_DIR"/logs/*.log; }

cmd_k8s() {
  # The second cluster (sandbox/parts/helix.sh) takes the same commands.
  if [ "${1:-}" = "--cluster" ]; then
    case "${2:-}" in
      "$K8S_CLUSTER_NAME" | eks | "") shift 2 || shift ;;
      helix | "${HELIX_CLUSTER_NAME:-helix}")
        shift 2
        cmd_helix "$@"
        return
        ;;
      *) die "k8s: no sandbox cluster named '${2:-}' (eks-data-platform or helix)" ;;
    esac
  fi
  local action="${1:-}"
  shift || true
  case "$action" in
    kubectl) kubectl_admin "$@" ;;
    stop-apiserver)
      stop_pid "$K8S_DIR/apiserver.pid"
      log "k8s: kube-apiserver stopped (etcd and the cluster's data kept)"
      ;;
    start-apiserver)
      k8s_start_apiserver
      log "k8s: kube-apiserver started again"
      ;;
    stop-scheduler)
      # --kill: SIGKILL, as a crash: the Lease keeps its holder and goes stale after 15 s
      # (a SIGTERM'd scheduler releases it at once).
      if [ "${1:-}" = --kill ]; then
        kill_pid "$K8S_DIR/scheduler.pid"
        log "k8s: kube-scheduler killed (its Lease kube-system/kube-scheduler goes stale in 15 s)"
      else
        stop_pid "$K8S_DIR/scheduler.pid"
        log "k8s: kube-scheduler stopped (it released its Lease kube-system/kube-scheduler: no leader)"
      fi
      ;;
    start-scheduler)
      k8s_start_scheduler
      k8s_wait_for_leader kube-scheduler "$K8S_DIR/logs/kube-scheduler.log"
      log "k8s: kube-scheduler started again and leads"
      ;;
    stop-controller-manager)
      stop_pid "$K8S_DIR/controller-manager.pid"
      log "k8s: kube-controller-manager stopped (its Lease kube-system/kube-controller-manager goes stale in 15 s)"
      ;;
    start-controller-manager)
      k8s_start_controller_manager
      k8s_wait_for_leader kube-controller-manager "$K8S_DIR/logs/kube-controller-manager.log"
      log "k8s: kube-controller-manager started again and leads"
      ;;
    restart)
      # KEDA's CRDs and its trigger addresses live in the cluster: a running operator is
      # restarted on the fresh one (sandbox/parts/keda.sh).
      local keda=false
      if pid_alive "$KEDA_DIR/operator.pid"; then keda=true; fi
      $keda && down_keda
      down_k8s
      up_k8s
      if $keda; then up_keda; fi
      write_local_config
      ;;
    scale) node_script k8s-scale.ts --kubeconfig "$K8S_DIR/admin.kubeconfig" --apiserver-pid "$K8S_DIR/apiserver.pid" "$@" ;;
    unscale) node_script k8s-scale.ts --kubeconfig "$K8S_DIR/admin.kubeconfig" --remove ;;
    *) die "usage: sandbox k8s [--cluster helix] kubectl ARGS... | restart | stop-apiserver | start-apiserver | stop-scheduler [--kill] | start-scheduler | stop-controller-manager | start-controller-manager | scale --nodes N --pods M | unscale" ;;
  esac
}
