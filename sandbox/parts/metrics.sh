# shellcheck shell=bash
# The sandbox's metrics: Debian's Prometheus scraping, every 5 s,
#   - the GPU exporter (sandbox/src/gpu-exporter.ts): DCGM exporter metric names and
#     labels for the GPUs of the sandbox cluster, driven by the model server's real load;
#   - the model server's vLLM metrics (job="model-server", namespace="ml", and workload=
#     llm-chat-server / embedding-server by model). The one sandbox model server stands
#     in for both of the cluster's model servers: its chat model's series are relabelled
#     model_name="llama-3.1-8b-instruct" (llm-chat-server), its embeddings model keeps
#     model_name="all-MiniLM-L6-v2" (embedding-server), as the catalog's selectors expect.
# It evaluates the platform's alerting rules (templates/eks-cluster/prometheus/platform-rules.yaml)
# every 5 s and sends what fires to the alertmanager part.
# Needs the k8s part (the exporter reads the cluster). Sourced by sandbox/sandbox.sh.

ALL_PARTS+=(metrics)

PROMETHEUS_PORT=59090
GPU_EXPORTER_PORT=59400
METRICS_RUN="$RUN/metrics"

ensure_prometheus_installed() {
  command -v prometheus >/dev/null && return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  step "metrics: installing Debian's prometheus" \
    env DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends prometheus
}

build_metrics() {
  if command -v prometheus >/dev/null; then log "metrics: Prometheus installed"; fi
  ensure_prometheus_installed
}

metrics_write_config() {
  cat >"$METRICS_RUN/prometheus.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: dcgm-exporter
    static_configs:
      - targets: ['127.0.0.1:$GPU_EXPORTER_PORT']
  - job_name: model-server
    static_configs:
      - targets: ['127.0.0.1:${MODEL_PORT:-58080}']
        # Where the two model servers it stands in for run (as kubernetes_sd would label them).
        labels: { namespace: ml }
    metric_relabel_configs:
      - source_labels: [model_name]
        regex: platform-chat
        target_label: model_name
        replacement: llama-3.1-8b-instruct
      - source_labels: [model_name]
        regex: llama-3.1-8b-instruct
        target_label: workload
        replacement: llm-chat-server
      - source_labels: [model_name]
        regex: all-MiniLM-L6-v2
        target_label: workload
        replacement: embedding-server
rule_files:
  - $REPO_ROOT/templates/eks-cluster/prometheus/platform-rules.yaml
# The alertmanager part (sandbox/parts/alertmanager.sh); while it is down Prometheus keeps
# evaluating and retries.
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:$ALERTMANAGER_PORT']
YAML
}

# Ready when a scraped GPU series can be queried (not only /-/ready: the first scrape lands later).
metrics_ready() {
  curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query?query=count(DCGM_FI_DEV_GPU_UTIL)" |
    grep -q '"value"'
}

up_metrics() {
  pid_alive "$K8S_DIR/apiserver.pid" || die "metrics: needs the k8s part: scripts/sandbox up k8s metrics"
  ensure_prometheus_installed
  mkdir -p "$METRICS_RUN/data"
  if ! pid_alive "$METRICS_RUN/exporter.pid"; then
    : >"$METRICS_RUN/exporter.log"
    start_bg "$METRICS_RUN/exporter.pid" "$METRICS_RUN/exporter.log" \
      node --no-warnings "$REPO_ROOT/sandbox/src/gpu-exporter.ts" \
      --kubeconfig "$K8S_DIR/admin.kubeconfig" --port "$GPU_EXPORTER_PORT" \
      --model-url "http://127.0.0.1:${MODEL_PORT:-58080}"
    wait_for "metrics: GPU exporter" "$METRICS_RUN/exporter.log" 30 port_open "$GPU_EXPORTER_PORT"
  fi
  if ! pid_alive "$METRICS_RUN/prometheus.pid"; then
    # A fresh TSDB each start: series of a stopped run carry no staleness marks and would
    # show pods of an earlier cluster for minutes.
    rm -rf "$METRICS_RUN/data"
    mkdir -p "$METRICS_RUN/data"
    metrics_write_config
    : >"$METRICS_RUN/prometheus.log"
    start_bg "$METRICS_RUN/prometheus.pid" "$METRICS_RUN/prometheus.log" prometheus \
      --config.file="$METRICS_RUN/prometheus.yml" --storage.tsdb.path="$METRICS_RUN/data" \
      --storage.tsdb.retention.time=1d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
      --web.enable-lifecycle
  fi
  wait_for "metrics: Prometheus (first scrape)" "$METRICS_RUN/prometheus.log" 60 metrics_ready
  log "metrics: Prometheus on http://127.0.0.1:$PROMETHEUS_PORT, GPU exporter on 127.0.0.1:$GPU_EXPORTER_PORT"
}

down_metrics() {
  stop_pid "$METRICS_RUN/prometheus.pid"
  stop_pid "$METRICS_RUN/exporter.pid"
}

pids_metrics() {
  for p in prometheus exporter; do
    if pid_alive "$METRICS_RUN/$p.pid"; then cat "$METRICS_RUN/$p.pid"; fi
  done
  return 0
}

status_metrics() {
  if pid_alive "$METRICS_RUN/prometheus.pid"; then
    echo "prometheus running  pid $(cat "$METRICS_RUN/prometheus.pid")  127.0.0.1:$PROMETHEUS_PORT"
  else echo "prometheus stopped"; fi
  if pid_alive "$METRICS_RUN/exporter.pid"; then
    echo "gpu-export running  pid $(cat "$METRICS_RUN/exporter.pid")  127.0.0.1:$GPU_EXPORTER_PORT"
  else echo "gpu-export stopped"; fi
}

env_metrics() { echo "export SANDBOX_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"; }

config_metrics() {
  pid_alive "$METRICS_RUN/prometheus.pid" || return 0
  cat <<YAML
gpuInference:
  prometheus:
    baseUrl: http://127.0.0.1:$PROMETHEUS_PORT
YAML
}

logs_metrics() { tail -n 30 "$METRICS_RUN/prometheus.log" "$METRICS_RUN/exporter.log"; }
