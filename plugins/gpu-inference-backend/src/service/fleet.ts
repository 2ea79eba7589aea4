import {
  FleetView,
  GpuCapacity,
  GpuClusterStatus,
  GpuUse,
  PendingGpuPod,
  PrometheusStatus,
} from '@internal/plugin-gpu-inference-common';
import {
  CachedPod,
  ClusterView,
  EntityIndex,
  kubernetesIdResolver,
  linkFor,
  nodeGroupOf,
} from '@internal/plugin-cluster-health-node';
import {
  DCGM_FIELDS,
  durationHours,
  gpuFieldsQuery,
  gpuUtilisationAvgQuery,
} from './promql';
import { countingQueries, PrometheusApi, PrometheusError } from './prometheus';

/** What the GPU views read from the cache: without them a cluster has no GPU figures. */
const GPU_RESOURCES = new Set(['nodes', 'pods']);

const holdsResources = (p: { phase: string; nodeName?: string }) =>
  Boolean(p.nodeName) && p.phase !== 'Succeeded' && p.phase !== 'Failed';

/**
 * Whether a cluster's GPU figures are current, from the freshness of its nodes and pods in
 * the cache. Names the cluster and what to check, never its URL (that is in the backend log).
 */
export function clusterStatus(cluster: ClusterView): GpuClusterStatus {
  const base = { cluster: cluster.name, title: cluster.title };
  const freshness = cluster
    .freshness()
    .filter(f => GPU_RESOURCES.has(f.resource));
  if (freshness.every(f => f.state === 'synced'))
    return { ...base, status: 'ok' };
  const broken = freshness.filter(
    f => f.state !== 'synced' && f.state !== 'syncing',
  );
  if (broken.length === 0)
    return {
      ...base,
      status: 'starting',
      message: `Cluster ${cluster.name}: the first listing of its nodes and pods is in progress`,
    };
  const what = broken.map(f => `${f.resource}: ${f.state}`).join(', ');
  const check = broken.some(f => f.state === 'forbidden')
    ? `grant the portal's identity list and watch on nodes and pods in cluster ${cluster.name}`
    : `check cluster ${cluster.name} under kubernetes.clusterLocatorMethods (the backend log has the cause)`;
  if (freshness.every(f => f.listedAt)) {
    // The cache keeps what it last read: show it, and since when it is not current.
    const asOf = freshness
      .map(f => [f.listedAt!, f.lastEventAt ?? ''].sort().pop()!)
      .sort()[0];
    return {
      ...base,
      status: 'stale',
      asOf,
      message: `Cluster ${cluster.name} is not answering (${what}): these are its last figures, as of ${asOf}; ${check}`,
    };
  }
  return {
    ...base,
    status: 'unavailable',
    message: `Cluster ${cluster.name} cannot be read (${what}): no GPU figures; ${check}`,
  };
}

/** The entity of a pod: its kubernetes-id (own label, else its owners'), in its namespace. */
function podLinker(cluster: ClusterView, links: EntityIndex) {
  const resolve = kubernetesIdResolver(cluster);
  return (pod: CachedPod) =>
    linkFor(links, resolve(pod), pod.namespace, cluster.name);
}

/** GPU capacity per node group and GPU model, and pods waiting for GPUs, from the cache. */
export function capacity(
  cluster: ClusterView,
  options: { links: EntityIndex; nodeGroupLabels: string[] },
) {
  const { links, nodeGroupLabels } = options;
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
    const group = nodeGroupOf(node.labels, nodeGroupLabels).name;
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
  const linkOf = podLinker(cluster, links);
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
      entityRef: linkOf(p)?.entityRef,
    }));
  for (const group of groups.values()) group.freePerNode.sort((a, b) => b - a);
  return { capacity: [...groups.values()], pending };
}

/** Current DCGM values of every GPU, joined to the pod, entity and owner. */
export async function gpuUse(
  prometheus: PrometheusApi,
  clusters: ClusterView[],
  links: EntityIndex,
  idleWindow: string,
): Promise<GpuUse[]> {
  const [fields, averages] = await Promise.all([
    prometheus.query(gpuFieldsQuery()),
    prometheus.query(gpuUtilisationAvgQuery(idleWindow)),
  ]);
  // cluster/namespace/pod → the pod and its entity: pod names are unique per namespace and
  // cluster only, so the same namespace/name in two clusters are two pods.
  const pods = new Map<
    string,
    { link?: { entityRef: string; ownerRef?: string } }
  >();
  // node → the clusters that have a node of that name (DCGM's Hostname label).
  const clustersOfNode = new Map<string, string[]>();
  for (const cluster of clusters) {
    const linkOf = podLinker(cluster, links);
    for (const pod of cluster.list('pods')) {
      pods.set(`${cluster.name}/${pod.namespace}/${pod.name}`, {
        link: linkOf(pod),
      });
    }
    for (const node of cluster.list('nodes')) {
      clustersOfNode.set(node.name, [
        ...(clustersOfNode.get(node.name) ?? []),
        cluster.name,
      ]);
    }
  }
  const configured = new Set(clusters.map(c => c.name));
  /**
   * The cluster of a DCGM sample: its `cluster` label when that names a configured cluster (a
   * Prometheus that scrapes several clusters labels them so), else the one cluster with a node
   * of that name; unknown when none has, or when several have and the sample does not say.
   */
  const clusterOf = (m: Record<string, string>) => {
    if (m.cluster && configured.has(m.cluster)) return m.cluster;
    const owners = clustersOfNode.get(m.Hostname) ?? [];
    return owners.length === 1 ? owners[0] : undefined;
  };
  const byGpu = new Map<string, GpuUse>();
  const free = new Map<string, number>();
  const name = Object.fromEntries(
    Object.entries(DCGM_FIELDS).map(([k, v]) => [v, k]),
  );
  for (const sample of fields) {
    const m = sample.metric;
    const cluster = clusterOf(m);
    const key = `${cluster ?? ''}/${m.Hostname}/${m.gpu}`;
    const gpu = byGpu.get(key) ?? {
      cluster,
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
    const m = sample.metric;
    const gpu = byGpu.get(`${clusterOf(m) ?? ''}/${m.Hostname}/${m.gpu}`);
    if (gpu) gpu.utilisationAvg = Number(sample.value[1]);
  }
  for (const gpu of byGpu.values()) {
    const link =
      gpu.pod && gpu.cluster
        ? pods.get(`${gpu.cluster}/${gpu.namespace}/${gpu.pod}`)?.link
        : undefined;
    gpu.entityRef = link?.entityRef;
    gpu.ownerRef = link?.ownerRef;
  }
  return [...byGpu.values()].sort(
    (a, b) =>
      (a.cluster ?? '').localeCompare(b.cluster ?? '') ||
      a.node.localeCompare(b.node) ||
      Number(a.gpu) - Number(b.gpu),
  );
}

/**
 * The fleet: capacity and pending pods from the cache, GPU use and waste from Prometheus. Without
 * Prometheus (not configured, unreachable) the capacity is still served and `prometheus` says why
 * the use panels are empty.
 */
export async function fleetView(options: {
  clusters: ClusterView[];
  links: EntityIndex;
  nodeGroupLabels: string[];
  /** Absent when gpuInference.prometheus.baseUrl is not set. */
  prometheus?: PrometheusApi;
  idleThresholdPercent: number;
  idleWindow: string;
}): Promise<FleetView> {
  const { clusters, links, idleThresholdPercent, idleWindow } = options;
  const parts = clusters.map(c =>
    capacity(c, { links, nodeGroupLabels: options.nodeGroupLabels }),
  );
  let prometheus: PrometheusStatus = {
    status: 'not-configured',
    message:
      'Set gpuInference.prometheus.baseUrl to the Prometheus that scrapes the DCGM exporter',
  };
  let gpus: GpuUse[] = [];
  let queries = 0;
  if (options.prometheus) {
    const client = countingQueries(options.prometheus);
    try {
      gpus = await gpuUse(client, clusters, links, idleWindow);
      prometheus = { status: 'ok' };
    } catch (error) {
      if (!(error instanceof PrometheusError)) throw error;
      prometheus = { status: 'unreachable', message: error.message };
    }
    queries = client.queries;
  }
  const hours = durationHours(idleWindow);
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
    clusters: clusters.map(clusterStatus),
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
