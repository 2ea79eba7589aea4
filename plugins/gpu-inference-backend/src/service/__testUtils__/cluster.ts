/*
 * Hand-built cache contents for the pure functions of fleet.ts (they read a ClusterView).
 * plugin.test.ts runs the same functions on the cache of the sandbox's real API server; these
 * cover what the sandbox does not stage (owner chains without pod labels, shared ids, custom
 * node-group labels, a cluster that stopped answering).
 */
import type {
  CachedNode,
  CachedObjects,
  CachedPod,
  CachedWorkload,
  ClusterView,
} from '@internal/plugin-cluster-health-node';

type Freshness = ReturnType<ClusterView['freshness']>[number];

let uid = 0;
const nextUid = () => `uid-${++uid}`;

export function gpuNode(
  name: string,
  gpus: number,
  labels: Record<string, string> = {},
): CachedNode {
  return {
    name,
    uid: nextUid(),
    labels: { 'nvidia.com/gpu.product': 'NVIDIA-A10G', ...labels },
    ready: true,
    unschedulable: false,
    taints: [],
    allocatable: { cpuMillis: 32000, memoryBytes: 128 * 2 ** 30, gpus },
  };
}

export function pod(
  namespace: string,
  name: string,
  overrides: Partial<CachedPod> = {},
): CachedPod {
  return {
    namespace,
    name,
    uid: nextUid(),
    labels: {},
    owners: [],
    phase: 'Running',
    ready: true,
    requests: { cpuMillis: 1000, memoryBytes: 2 ** 30, gpus: 1 },
    containers: [],
    deleting: false,
    annotations: {},
    nodeSelector: {},
    tolerations: [],
    affinityTerms: [],
    ...overrides,
  };
}

/** A pod waiting for `gpus` GPUs that no node has free. */
export function pendingPod(
  namespace: string,
  name: string,
  gpus: number,
  overrides: Partial<CachedPod> = {},
): CachedPod {
  return pod(namespace, name, {
    phase: 'Pending',
    ready: false,
    requests: { cpuMillis: 1000, memoryBytes: 2 ** 30, gpus },
    scheduled: {
      status: 'False',
      reason: 'Unschedulable',
      message: `0/3 nodes are available: 3 Insufficient nvidia.com/gpu`,
    },
    ...overrides,
  });
}

export function workload(
  kind: CachedWorkload['kind'],
  namespace: string,
  name: string,
  overrides: Partial<CachedWorkload> = {},
): CachedWorkload {
  return {
    kind,
    namespace,
    name,
    uid: nextUid(),
    labels: {},
    owners: [],
    desired: 1,
    ready: 1,
    updated: 1,
    available: 1,
    images: [],
    conditions: [],
    ...overrides,
  };
}

export const ownedBy = (owner: { kind: string; name: string; uid: string }) => [
  { kind: owner.kind, name: owner.name, uid: owner.uid },
];

export function cluster(
  name: string,
  objects: Partial<{ [R in keyof CachedObjects]: CachedObjects[R][] }>,
  freshness: Partial<Record<'nodes' | 'pods', Partial<Freshness>>> = {},
): ClusterView {
  const at = '2026-12-01T22:00:00.000Z';
  return {
    name,
    url: `https://${name}.example:6443`,
    freshness: () =>
      (['nodes', 'pods'] as const).map(resource => ({
        resource,
        state: 'synced' as const,
        count: objects[resource]?.length ?? 0,
        listedAt: at,
        ...freshness[resource],
      })),
    controlPlane: () => ({
      cluster: name,
      status: 'unknown' as const,
      stale: false,
      versionState: 'unknown' as const,
      readyz: {
        endpoint: 'readyz' as const,
        state: 'unknown' as const,
        checks: [],
      },
      livez: {
        endpoint: 'livez' as const,
        state: 'unknown' as const,
        checks: [],
      },
      leases: [],
      problems: [],
    }),
    list: resource => (objects[resource] ?? []) as any,
  };
}
