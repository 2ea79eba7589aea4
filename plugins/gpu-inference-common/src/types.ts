/*
 * What /api/gpu-inference answers.
 *
 * Two kinds of "something is wrong" reach the frontend, and they are kept apart:
 * - A request that cannot be answered (malformed entityRef or range, an annotation that is not
 *   a list of label matchers, an entity that does not exist or the asker may not read, a denied
 *   permission) is an HTTP error with a Backstage error body (`InputError` 400,
 *   `NotFoundError` 404, `NotAllowedError` 403), thrown from `@backstage/errors`.
 * - A part of the platform that does not answer while the rest does is a partial result: a 200
 *   whose `PrometheusStatus` (per view) or `GpuClusterStatus` (per cluster) says which panels are
 *   empty or old, why, and which config key or permission to check. Capacity from the cluster
 *   cache keeps being served when Prometheus is down, and one cluster's outage leaves the
 *   others' figures. Neither status ever holds a URL (that goes to the backend log).
 */

/**
 * Whether Prometheus answered for this view's Prometheus panels (GPU use, waste, model-server
 * figures and series); the rest of the view does not depend on it.
 * - `ok`: the panels hold Prometheus's figures.
 * - `not-configured`: `gpuInference.prometheus.baseUrl` is not set; the panels are empty and
 *   `message` says to set it.
 * - `unreachable`: Prometheus did not answer, refused a query or is not the Prometheus HTTP API;
 *   the panels are empty and `message` says which, naming `gpuInference.prometheus.baseUrl`.
 */
export type PrometheusStatus =
  | { status: 'ok'; message?: undefined }
  | { status: 'not-configured' | 'unreachable'; message: string };

export interface GpuCapacity {
  cluster: string;
  nodeGroup: string;
  gpuModel: string;
  nodes: number;
  allocatable: number;
  allocated: number;
  free: number;
  /** The most GPUs a new pod could get on one node right now. */
  largestFit: number;
  /** Free GPUs on each Ready, schedulable node of the group, largest first. */
  freePerNode: number[];
}

export interface PendingGpuPod {
  cluster: string;
  namespace: string;
  pod: string;
  gpus: number;
  message: string;
  entityRef?: string;
}

export interface GpuUse {
  /**
   * The cluster the GPU's node belongs to: the sample's `cluster` label, else the one configured
   * cluster with a node of that name; absent when that cannot be told.
   */
  cluster?: string;
  node: string;
  gpu: string;
  uuid: string;
  modelName: string;
  utilisation: number;
  /** Mean utilisation over the idle window. */
  utilisationAvg?: number;
  memoryUsedMiB: number;
  memoryTotalMiB: number;
  powerWatts: number;
  temperatureC: number;
  smClockMHz: number;
  xidErrors: number;
  pod?: string;
  namespace?: string;
  entityRef?: string;
  ownerRef?: string;
}

export interface WastedGpu extends GpuUse {
  /** GPU-hours allocated but unused over the window. */
  gpuHoursWasted: number;
}

/**
 * Whether a cluster's GPU figures (its nodes and pods in the shared cluster cache) are current.
 * Every configured cluster has one, whatever its state:
 * - `ok`: listed and watched; its rows are current.
 * - `starting`: the first listing is in progress; no rows yet.
 * - `stale`: the cluster stopped answering; its rows are the last figures read, as of `asOf`.
 * - `unavailable`: nothing could be read; the cluster has no rows.
 * The states other than `ok` have a `message` naming the cluster and what to check (the
 * cluster's entry under `kubernetes.clusterLocatorMethods`, or the list and watch grant).
 */
export type GpuClusterStatus = {
  cluster: string;
  title?: string;
} & (
  | { status: 'ok'; asOf?: undefined; message?: undefined }
  | { status: 'starting' | 'unavailable'; asOf?: undefined; message: string }
  | {
      status: 'stale';
      /** ISO time of the last change the cache saw. */
      asOf: string;
      message: string;
    }
);

export interface FleetView {
  /** One entry per configured cluster, ok or not. */
  clusters: GpuClusterStatus[];
  capacity: GpuCapacity[];
  pending: PendingGpuPod[];
  /** Whether `gpus` and `waste` come from Prometheus; empty when it is not `ok`. */
  prometheus: PrometheusStatus;
  gpus: GpuUse[];
  waste: WastedGpu[];
  idleThresholdPercent: number;
  idleWindow: string;
  /** PromQL queries this view cost. */
  queries: number;
}

export type Saturation =
  | 'idle'
  | 'healthy'
  | 'queueing'
  | 'kv-cache-full'
  | 'gpu-saturated'
  | 'unknown';

export interface ModelServerFigures {
  requestsRunning: number;
  requestsWaiting: number;
  ttftP50?: number;
  ttftP95?: number;
  e2eP50?: number;
  e2eP95?: number;
  interTokenP50?: number;
  queueTimeP95?: number;
  promptTokensPerSecond: number;
  generationTokensPerSecond: number;
  kvCacheUsage: number;
}

/** The time ranges of a model server's series. */
export const MODEL_SERVER_RANGES = ['1h', '6h', '24h'] as const;
export type ModelServerRange = (typeof MODEL_SERVER_RANGES)[number];

/**
 * A model server's view. An entity without the selector annotation is a view too: no
 * `selector`, no figures, `saturation: 'unknown'` and a verdict naming the annotation to add.
 * With the annotation but without Prometheus (`prometheus.status` other than `ok`), `figures`
 * is absent, `series` and `gpus` are empty and `saturation` is `unknown`.
 */
export interface ModelServerView {
  entityRef: string;
  selector?: string;
  prometheus: PrometheusStatus;
  figures?: ModelServerFigures;
  saturation: Saturation;
  verdict: string;
  /** TTFT p95 (s) and waiting requests over the range, for charts. */
  series: { t: number; ttftP95?: number; waiting?: number }[];
  gpus: GpuUse[];
}
