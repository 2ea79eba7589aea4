import {
  cpuMillis,
  parseQuantity,
  Resources,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import type {
  CachedCondition,
  CachedContainerStatus,
  CachedObjects,
  ObjectKey,
  OwnerRef,
  PodPlacement,
} from './types';

/*
 * From full API objects to what the cache keeps (see types.ts). Inputs are the JSON the API
 * server sends, so every field is treated as possibly absent.
 */

type Json = any;

const GPU = 'nvidia.com/gpu';

export function toResources(list: Json): Resources {
  return {
    cpuMillis: cpuMillis(list?.cpu),
    memoryBytes: parseQuantity(list?.memory),
    gpus: parseQuantity(list?.[GPU]),
  };
}

const addResources = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis + b.cpuMillis,
  memoryBytes: a.memoryBytes + b.memoryBytes,
  gpus: a.gpus + b.gpus,
});

const maxResources = (a: Resources, b: Resources): Resources => ({
  cpuMillis: Math.max(a.cpuMillis, b.cpuMillis),
  memoryBytes: Math.max(a.memoryBytes, b.memoryBytes),
  gpus: Math.max(a.gpus, b.gpus),
});

export const NO_RESOURCES: Resources = {
  cpuMillis: 0,
  memoryBytes: 0,
  gpus: 0,
};
export { addResources };

function key(o: Json): ObjectKey {
  return {
    namespace: o.metadata?.namespace,
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
    labels: o.metadata?.labels ?? {},
    createdAt: o.metadata?.creationTimestamp,
  };
}

const owners = (o: Json): OwnerRef[] =>
  (o.metadata?.ownerReferences ?? []).map((r: Json) => ({
    kind: r.kind,
    name: r.name,
    uid: r.uid,
  }));

const conditions = (o: Json): CachedCondition[] =>
  (o.status?.conditions ?? []).map((c: Json) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    lastTransitionTime: c.lastTransitionTime,
  }));

function placement(podSpec: Json): PodPlacement {
  const terms =
    podSpec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return {
    nodeSelector: podSpec?.nodeSelector ?? {},
    tolerations: (podSpec?.tolerations ?? []).map((t: Json) => ({
      key: t.key,
      operator: t.operator,
      value: t.value,
      effect: t.effect,
    })),
    affinityTerms: terms.map((t: Json) =>
      (t.matchExpressions ?? []).map((e: Json) => ({
        key: e.key,
        operator: e.operator,
        values: e.values,
      })),
    ),
  };
}

const images = (podSpec: Json): string[] =>
  (podSpec?.containers ?? []).map((c: Json) => c.image);

function podRequests(spec: Json): Resources {
  const sum = (spec?.containers ?? []).reduce(
    (total: Resources, c: Json) =>
      addResources(total, toResources(c.resources?.requests)),
    NO_RESOURCES,
  );
  const init = (spec?.initContainers ?? []).reduce(
    (most: Resources, c: Json) =>
      maxResources(most, toResources(c.resources?.requests)),
    NO_RESOURCES,
  );
  return maxResources(sum, init);
}

function containerStatus(s: Json): CachedContainerStatus {
  return {
    name: s.name,
    image: s.image,
    ready: Boolean(s.ready),
    restartCount: s.restartCount ?? 0,
    waitingReason: s.state?.waiting?.reason,
    waitingMessage: s.state?.waiting?.message,
    terminatedReason: s.state?.terminated?.reason,
    lastTerminatedReason: s.lastState?.terminated?.reason,
    lastTerminatedAt: s.lastState?.terminated?.finishedAt,
  };
}

const prometheusAnnotations = (o: Json): Record<string, string> =>
  Object.fromEntries(
    Object.entries<string>(o.metadata?.annotations ?? {}).filter(([k]) =>
      k.startsWith('prometheus.io/'),
    ),
  );

function workload(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet') {
  return (o: Json) => ({
    ...key(o),
    namespace: o.metadata.namespace,
    kind,
    owners: owners(o),
    desired: o.spec?.replicas ?? 1,
    ready: o.status?.readyReplicas ?? 0,
    updated: o.status?.updatedReplicas ?? 0,
    available: o.status?.availableReplicas ?? 0,
    images: images(o.spec?.template?.spec),
    conditions: conditions(o),
    generation: o.metadata?.generation,
    observedGeneration: o.status?.observedGeneration,
  });
}

export const PROJECTIONS: {
  [R in WatchedResource]: (o: Json) => CachedObjects[R];
} = {
  nodes: o => {
    const ready = (o.status?.conditions ?? []).find(
      (c: Json) => c.type === 'Ready',
    );
    return {
      ...key(o),
      ready: ready?.status === 'True',
      readyReason: ready?.reason,
      readyMessage: ready?.message,
      unschedulable: Boolean(o.spec?.unschedulable),
      taints: (o.spec?.taints ?? []).map((t: Json) => ({
        key: t.key,
        value: t.value,
        effect: t.effect,
      })),
      allocatable: toResources(o.status?.allocatable),
    };
  },
  pods: o => {
    const scheduled = (o.status?.conditions ?? []).find(
      (c: Json) => c.type === 'PodScheduled',
    );
    const ready = (o.status?.conditions ?? []).find(
      (c: Json) => c.type === 'Ready',
    );
    return {
      ...key(o),
      ...placement(o.spec),
      namespace: o.metadata.namespace,
      owners: owners(o),
      nodeName: o.spec?.nodeName,
      phase: o.status?.phase ?? 'Unknown',
      ready: ready?.status === 'True',
      requests: podRequests(o.spec),
      scheduled: scheduled && {
        status: scheduled.status,
        reason: scheduled.reason,
        message: scheduled.message,
      },
      containers: (o.status?.containerStatuses ?? []).map(containerStatus),
      startedAt: o.status?.startTime,
      deleting: Boolean(o.metadata?.deletionTimestamp),
      annotations: prometheusAnnotations(o),
    };
  },
  daemonsets: o => ({
    ...key(o),
    ...placement(o.spec?.template?.spec),
    namespace: o.metadata.namespace,
    desired: o.status?.desiredNumberScheduled ?? 0,
    ready: o.status?.numberReady ?? 0,
    updated: o.status?.updatedNumberScheduled ?? 0,
    images: images(o.spec?.template?.spec),
    generation: o.metadata?.generation,
    observedGeneration: o.status?.observedGeneration,
  }),
  deployments: workload('Deployment'),
  replicasets: workload('ReplicaSet'),
  statefulsets: workload('StatefulSet'),
  jobs: o => ({
    ...key(o),
    namespace: o.metadata.namespace,
    owners: owners(o),
    conditions: conditions(o),
    startedAt: o.status?.startTime,
    completedAt: o.status?.completionTime,
    active: o.status?.active ?? 0,
    succeeded: o.status?.succeeded ?? 0,
    failed: o.status?.failed ?? 0,
  }),
  events: o => ({
    uid: o.metadata?.uid ?? '',
    namespace: o.metadata?.namespace,
    object: {
      kind: o.involvedObject?.kind,
      name: o.involvedObject?.name,
      namespace: o.involvedObject?.namespace,
      uid: o.involvedObject?.uid,
    },
    reason: o.reason ?? '',
    message: o.message ?? '',
    count: o.count ?? o.series?.count ?? 1,
    lastSeen:
      o.lastTimestamp ??
      o.series?.lastObservedTime ??
      o.eventTime ??
      o.metadata?.creationTimestamp,
  }),
  poddisruptionbudgets: o => ({
    ...key(o),
    namespace: o.metadata.namespace,
    disruptionsAllowed: o.status?.disruptionsAllowed ?? 0,
    currentHealthy: o.status?.currentHealthy ?? 0,
    desiredHealthy: o.status?.desiredHealthy ?? 0,
    expectedPods: o.status?.expectedPods ?? 0,
    minAvailable: o.spec?.minAvailable,
    maxUnavailable: o.spec?.maxUnavailable,
  }),
  githubreleases: o => ({
    ...key(o),
    namespace: o.metadata.namespace,
    repository: o.spec?.repository ?? '',
    tag: o.spec?.tag ?? '',
    url: o.spec?.url,
    publishedAt: o.spec?.publishedAt,
    phase: o.status?.phase,
    jobName: o.status?.jobName,
    conditions: conditions(o),
  }),
  scaledobjects: o => ({
    ...key(o),
    namespace: o.metadata.namespace,
    target: {
      kind: o.spec?.scaleTargetRef?.kind,
      name: o.spec?.scaleTargetRef?.name,
    },
    minReplicas: o.spec?.minReplicaCount,
    maxReplicas: o.spec?.maxReplicaCount,
    triggers: (o.spec?.triggers ?? []).map((t: Json) => ({
      type: t.type,
      name: t.name,
      metadata: t.metadata ?? {},
    })),
    conditions: conditions(o),
  }),
};

/** Where each resource type is listed and watched, cluster-wide. */
export const RESOURCE_PATHS: Record<
  WatchedResource,
  { path: string; fieldSelector?: string }
> = {
  nodes: { path: '/api/v1/nodes' },
  pods: { path: '/api/v1/pods' },
  daemonsets: { path: '/apis/apps/v1/daemonsets' },
  deployments: { path: '/apis/apps/v1/deployments' },
  replicasets: { path: '/apis/apps/v1/replicasets' },
  statefulsets: { path: '/apis/apps/v1/statefulsets' },
  jobs: { path: '/apis/batch/v1/jobs' },
  events: { path: '/api/v1/events', fieldSelector: 'type=Warning' },
  poddisruptionbudgets: { path: '/apis/policy/v1/poddisruptionbudgets' },
  githubreleases: {
    path: '/apis/platform.example.com/v1alpha1/githubreleases',
  },
  scaledobjects: { path: '/apis/keda.sh/v1alpha1/scaledobjects' },
};
