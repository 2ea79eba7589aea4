import {
  FleetView,
  GpuCapacity,
  GpuUse,
  PendingGpuPod,
  PrometheusStatus,
} from '@internal/plugin-gpu-inference-common';
import { ClusterView } from '@internal/plugin-cluster-health-node';
import { DCGM_FIELDS, gpuFieldsQuery, gpuUtilisationAvgQuery } from './promql';
import { PrometheusClient } from './prometheus';

/** kubernetes-id → entity and owner, from the catalog. */
export type EntityLinks = Map<string, { entityRef: string; ownerRef?: string }>;

const NODE_GROUP_LABELS = [
  'eks.amazonaws.com/nodegroup',
  'karpenter.sh/nodepool',
];

const holdsResources = (p: { phase: string; nodeName?: string }) =>
  Boolean(p.nodeName) && p.phase !== 'Succeeded' && p.phase !== 'Failed';

/** GPU capacity per node group and GPU model, and pods waiting for GPUs, from the cache. */
export function capacity(cluster: ClusterView, links: EntityLinks) {
  const allocated = new Map<string, number>();
  for (const pod of cluster.list('pods')) {
    if (holdsResources(pod) && pod.requests.gpus > 0) {
      allocated.set(
        pod.nodeName!,
        (allocated.get(pod.nodeName!) ?? 0) + pod.requests.gpus,
      );
    }
  }
  const groups = new Map<string, GpuCapacity>();
  for (const node of cluster.list('nodes')) {
    if (node.allocatable.gpus <= 0) continue;
    const group =
      NODE_GROUP_LABELS.map(l => node.labels[l]).find(Boolean) ??
      '(no node group)';
    const model = node.labels['nvidia.com/gpu.product'] ?? 'unknown GPU';
    const key = `${group}/${model}`;
    const entry = groups.get(key) ?? {
      cluster: cluster.name,
      nodeGroup: group,
      gpuModel: model,
      nodes: 0,
      allocatable: 0,
      allocated: 0,
      free: 0,
      largestFit: 0,
      freePerNode: [],
    };
    const used = allocated.get(node.name) ?? 0;
    const free =
      node.ready && !node.unschedulable
        ? Math.max(0, node.allocatable.gpus - used)
        : 0;
    entry.nodes++;
    entry.allocatable += node.allocatable.gpus;
    entry.allocated += used;
    entry.free += free;
    entry.largestFit = Math.max(entry.largestFit, free);
    if (node.ready && !node.unschedulable) entry.freePerNode.push(free);
    groups.set(key, entry);
  }
  const pending: PendingGpuPod[] = cluster
    .list('pods')
    .filter(
      p =>
        p.phase === 'Pending' &&
        !p.nodeName &&
        p.requests.gpus > 0 &&
        !p.deleting,
    )
    .map(p => ({
      cluster: cluster.name,
      namespace: p.namespace,
      pod: p.name,
      gpus: p.requests.gpus,
      message: p.scheduled?.message ?? 'not scheduled yet',
      entityRef: links.get(p.labels['backstage.io/kubernetes-id'])?.entityRef,
    }));
  for (const group of groups.values()) group.freePerNode.sort((a, b) => b - a);
  return { capacity: [...groups.values()], pending };
}

/** Current DCGM values of every GPU, joined to the pod, entity and owner. */
export async function gpuUse(
  prometheus: PrometheusClient,
  clusters: ClusterView[],
  links: EntityLinks,
  idleWindow: string,
): Promise<GpuUse[]> {
  const [fields, averages] = await Promise.all([
    prometheus.query(gpuFieldsQuery()),
    prometheus.query(gpuUtilisationAvgQuery(idleWindow)),
  ]);
  const podLabels = new Map<string, Record<string, string>>();
  for (const cluster of clusters) {
    for (const pod of cluster.list('pods'))
      podLabels.set(`${pod.namespace}/${pod.name}`, pod.labels);
  }
  const byGpu = new Map<string, GpuUse>();
  const free = new Map<string, number>();
  const name = Object.fromEntries(
    Object.entries(DCGM_FIELDS).map(([k, v]) => [v, k]),
  );
  for (const sample of fields) {
    const m = sample.metric;
    const key = `${m.Hostname}/${m.gpu}`;
    const gpu = byGpu.get(key) ?? {
      node: m.Hostname,
      gpu: m.gpu,
      uuid: m.UUID,
      modelName: m.modelName,
      utilisation: 0,
      memoryUsedMiB: 0,
      memoryTotalMiB: 0,
      powerWatts: 0,
      temperatureC: 0,
      smClockMHz: 0,
      xidErrors: 0,
      pod: m.pod || undefined,
      namespace: m.namespace || undefined,
    };
    const value = Number(sample.value[1]);
    switch (name[m.__name__]) {
      case 'utilisation':
        gpu.utilisation = value;
        break;
      case 'memoryUsed':
        gpu.memoryUsedMiB = value;
        break;
      case 'memoryFree':
        free.set(key, value);
        break;
      case 'power':
        gpu.powerWatts = value;
        break;
      case 'temperature':
        gpu.temperatureC = value;
        break;
      case 'smClock':
        gpu.smClockMHz = value;
        break;
      case 'xid':
        gpu.xidErrors = value;
        break;
      default:
    }
    byGpu.set(key, gpu);
  }
  for (const [key, value] of free) {
    const gpu = byGpu.get(key)!;
    gpu.memoryTotalMiB = gpu.memoryUsedMiB + value;
  }
  for (const sample of averages) {
    const gpu = byGpu.get(`${sample.metric.Hostname}/${sample.metric.gpu}`);
    if (gpu) gpu.utilisationAvg = Number(sample.value[1]);
  }
  for (const gpu of byGpu.values()) {
    const labels = gpu.pod
      ? podLabels.get(`${gpu.namespace}/${gpu.pod}`)
      : undefined;
    const link = labels
      ? links.get(labels['backstage.io/kubernetes-id'])
      : undefined;
    gpu.entityRef = link?.entityRef;
    gpu.ownerRef = link?.ownerRef;
  }
  return [...byGpu.values()].sort(
    (a, b) => a.node.localeCompare(b.node) || Number(a.gpu) - Number(b.gpu),
  );
}

function windowHours(window: string): number {
  const n = Number(window.slice(0, -1));
  const unit = window.slice(-1);
  return n * ({ s: 1 / 3600, m: 1 / 60, h: 1, d: 24, w: 168 }[unit] ?? 1);
}

export async function fleetView(options: {
  clusters: ClusterView[];
  links: EntityLinks;
  prometheusUrl?: string;
  idleThresholdPercent: number;
  idleWindow: string;
}): Promise<FleetView> {
  const { clusters, links, prometheusUrl, idleThresholdPercent, idleWindow } =
    options;
  const parts = clusters.map(c => capacity(c, links));
  let prometheus: PrometheusStatus = {
    status: 'not-configured',
    message:
      'Set gpuInference.prometheus.baseUrl to the Prometheus that scrapes the DCGM exporter',
  };
  let gpus: GpuUse[] = [];
  let queries = 0;
  if (prometheusUrl) {
    const client = new PrometheusClient(prometheusUrl);
    try {
      gpus = await gpuUse(client, clusters, links, idleWindow);
      prometheus = { status: 'ok' };
    } catch (error) {
      prometheus = { status: 'unreachable', message: (error as Error).message };
    }
    queries = client.queries;
  }
  const hours = windowHours(idleWindow);
  const waste = gpus
    .filter(
      g => g.pod && (g.utilisationAvg ?? g.utilisation) < idleThresholdPercent,
    )
    .map(g => ({
      ...g,
      gpuHoursWasted: +(
        hours *
        (1 - (g.utilisationAvg ?? g.utilisation) / 100)
      ).toFixed(2),
    }));
  return {
    capacity: parts.flatMap(p => p.capacity),
    pending: parts.flatMap(p => p.pending),
    prometheus,
    gpus,
    waste,
    idleThresholdPercent,
    idleWindow,
    queries,
  };
}
