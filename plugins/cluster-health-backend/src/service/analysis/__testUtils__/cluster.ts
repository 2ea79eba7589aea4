/*
 * Hand-built cache objects for the analysis functions (pure functions over a ClusterView).
 * The integration tests in plugin.test.ts run the same functions against the sandbox's real
 * API server; these cover the cases the sandbox does not stage.
 */
import {
  ResourceFreshness,
  WATCHED_RESOURCES,
} from '@internal/plugin-cluster-health-common';
import type {
  CachedContainerStatus,
  CachedDaemonSet,
  CachedEvent,
  CachedNode,
  CachedObjects,
  CachedPod,
  CachedWorkload,
  ClusterView,
} from '@internal/plugin-cluster-health-node';

let uid = 0;
const nextUid = () => `uid-${++uid}`;

export function node(
  name: string,
  overrides: Partial<CachedNode> = {},
): CachedNode {
  return {
    name,
    uid: nextUid(),
    labels: { 'eks.amazonaws.com/nodegroup': 'general' },
    ready: true,
    unschedulable: false,
    taints: [],
    allocatable: { cpuMillis: 3920, memoryBytes: 15 * 2 ** 30, gpus: 0 },
    ...overrides,
  };
}

export function container(
  overrides: Partial<CachedContainerStatus> = {},
): CachedContainerStatus {
  return {
    name: 'main',
    image: 'example/main:1',
    ready: true,
    restartCount: 0,
    ...overrides,
  };
}

export function pod(
  name: string,
  overrides: Partial<CachedPod> = {},
): CachedPod {
  const ready = overrides.ready ?? true;
  return {
    name,
    namespace: 'default',
    uid: nextUid(),
    labels: {},
    owners: [],
    phase: 'Running',
    ready,
    requests: { cpuMillis: 100, memoryBytes: 2 ** 27, gpus: 0 },
    containers: [container({ ready })],
    deleting: false,
    annotations: {},
    nodeSelector: {},
    tolerations: [],
    affinityTerms: [],
    ...overrides,
  };
}

/** A pod whose first container waits with `reason` (CrashLoopBackOff, ImagePullBackOff, ...). */
export function failingPod(
  name: string,
  reason: string,
  overrides: Partial<CachedPod> = {},
): CachedPod {
  return pod(name, {
    ready: false,
    containers: [
      container({ ready: false, waitingReason: reason, restartCount: 3 }),
    ],
    ...overrides,
  });
}

export function daemonSet(
  name: string,
  overrides: Partial<CachedDaemonSet> = {},
): CachedDaemonSet {
  return {
    name,
    namespace: 'kube-system',
    uid: nextUid(),
    labels: {},
    desired: 0,
    ready: 0,
    updated: 0,
    images: ['example/ds:1'],
    generation: 1,
    observedGeneration: 1,
    nodeSelector: {},
    tolerations: [],
    affinityTerms: [],
    ...overrides,
  };
}

export function workload(
  kind: CachedWorkload['kind'],
  name: string,
  overrides: Partial<CachedWorkload> = {},
): CachedWorkload {
  return {
    kind,
    name,
    namespace: 'default',
    uid: nextUid(),
    labels: {},
    owners: [],
    desired: 1,
    ready: 1,
    updated: 1,
    available: 1,
    images: ['example/app:1'],
    conditions: [],
    generation: 1,
    observedGeneration: 1,
    ...overrides,
  };
}

export function warningEvent(
  object: CachedEvent['object'],
  overrides: Partial<CachedEvent> = {},
): CachedEvent {
  return {
    uid: nextUid(),
    namespace: object.namespace,
    object,
    reason: 'BackOff',
    message: 'Back-off restarting failed container',
    count: 1,
    lastSeen: '2026-12-01T10:00:00Z',
    ...overrides,
  };
}

/** Owner reference to `owner` (for pods of a DaemonSet, StatefulSet, ...). */
export const ownedBy = (owner: {
  name: string;
  uid: string;
  kind?: string;
}) => [{ kind: owner.kind ?? 'DaemonSet', name: owner.name, uid: owner.uid }];

/** A ClusterView over the given objects; every resource type synced unless `freshness` says otherwise. */
export function clusterView(
  objects: Partial<{ [R in keyof CachedObjects]: CachedObjects[R][] }>,
  options: {
    name?: string;
    configKey?: string;
    freshness?: ResourceFreshness[];
  } = {},
): ClusterView {
  const view = {
    name: options.name ?? 'test-cluster',
    url: 'https://127.0.0.1:6443',
    configKey: options.configKey,
    freshness: () =>
      options.freshness ??
      WATCHED_RESOURCES.map(resource => ({
        resource,
        state: 'synced' as const,
        count: objects[resource]?.length ?? 0,
      })),
    controlPlane: () => ({
      cluster: options.name ?? 'test-cluster',
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
    list: <R extends keyof CachedObjects>(resource: R) =>
      (objects[resource] ?? []) as CachedObjects[R][],
  };
  return view;
}
