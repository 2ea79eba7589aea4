/**
 * Shared by the GPU inference plugin's frontend and backend.
 *
 * @packageDocumentation
 */
import { createPermission } from '@backstage/plugin-permission-common';

/** Reading GPU capacity, use and model-server figures. */
export const gpuInferenceReadPermission = createPermission({
  name: 'gpu.inference.read',
  attributes: { action: 'read' },
});

/** Every permission of the plugin, registered with the permission framework by the backend. */
export const gpuInferencePermissions = [gpuInferenceReadPermission];

/** PromQL label matchers of a model server's vLLM metrics, e.g. job="model-server",model_name="x". */
export const MODEL_SERVER_SELECTOR_ANNOTATION =
  'ml-platform.io/model-server-selector';

/** Whether Prometheus could be asked; panels that need it say so, the rest keeps serving. */
export interface PrometheusStatus {
  status: 'ok' | 'not-configured' | 'unreachable';
  message?: string;
}

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

/**
 * Whether a new pod asking for `gpus` GPUs could be scheduled in this group now (GPUs only:
 * CPU, memory and taints are the scheduler's to judge), and how many such pods would fit.
 */
export function gpuFit(group: GpuCapacity, gpus: number) {
  if (!(gpus > 0)) return { fits: false, nodes: 0, pods: 0 };
  const nodes = group.freePerNode.filter(free => free >= gpus).length;
  const pods = group.freePerNode.reduce(
    (sum, free) => sum + Math.floor(free / gpus),
    0,
  );
  return { fits: nodes > 0, nodes, pods };
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
 * Whether a cluster's GPU figures (its nodes and pods in the shared cluster cache) are current:
 * - `ok`: listed and watched
 * - `starting`: the first listing is in progress
 * - `stale`: the cluster stopped answering; its rows are the last figures read (`asOf`)
 * - `unavailable`: nothing could be read; the cluster has no rows
 */
export interface GpuClusterStatus {
  cluster: string;
  title?: string;
  status: 'ok' | 'starting' | 'stale' | 'unavailable';
  /** ISO time of the last change the cache saw, for stale clusters. */
  asOf?: string;
  /** What is wrong and what to check, for the states other than ok. */
  message?: string;
}

export interface FleetView {
  /** One entry per configured cluster, ok or not. */
  clusters: GpuClusterStatus[];
  capacity: GpuCapacity[];
  pending: PendingGpuPod[];
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
