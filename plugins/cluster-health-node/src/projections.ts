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

/**
 * Values many cached objects hold alike (the labels, tolerations, owners, requests and
 * container statuses of a ReplicaSet's pods, namespaces, node names, timestamps) are kept
 * once and shared, so that a pod costs about its name and UID. Shared values are frozen: no
 * reader may change one object's labels under another's. The pools are bounded: when one is
 * full it starts again empty, which only stops later objects sharing with earlier ones.
 */
class Pool {
  private readonly values = new Map<string, unknown>();
  constructor(private readonly max: number) {}
  get<T>(id: string, make: () => T): T {
    let value = this.values.get(id) as T | undefined;
    if (value === undefined) {
      if (this.values.size >= this.max) this.values.clear();
      value = make();
      this.values.set(id, value);
    }
    return value;
  }
}

const STRINGS = new Pool(50_000);
const SHARED = new Pool(20_000);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** One copy of each equal string. */
export function intern<T extends string | undefined>(value: T): T {
  return typeof value === 'string' ? STRINGS.get(value, () => value) : value;
}

/** One frozen copy of each equal JSON value (key order counts). */
export function share<T>(value: T): T {
  if (value === undefined) return value;
  return SHARED.get(JSON.stringify(value), () => deepFreeze(value));
}

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
    namespace: intern(o.metadata?.namespace),
    name: o.metadata?.name ?? '',
    uid: o.metadata?.uid ?? '',
    labels: share(o.metadata?.labels ?? {}),
    createdAt: intern(o.metadata?.creationTimestamp),
  };
}

const owners = (o: Json): OwnerRef[] =>
  share(
    (o.metadata?.ownerReferences ?? []).map((r: Json) => ({
      kind: r.kind,
      name: r.name,
      uid: r.uid,
    })),
  );

const conditions = (o: Json): CachedCondition[] =>
  (o.status?.conditions ?? []).map((c: Json) => ({
    type: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
    lastTransitionTime: c.lastTransitionTime,
  }));

/** The workload a ScaledObject or an HPA scales (`spec.scaleTargetRef`). */
function scaleTarget(o: Json) {
  return {
    kind: o.spec?.scaleTargetRef?.kind,
    name: o.spec?.scaleTargetRef?.name,
  };
}

/** KEDA's pause annotations, when set: `autoscaling.keda.sh/paused[-replicas]`. */
function pausedAnnotation(
  annotations: Json,
): { paused?: string; pausedReplicas?: string } | undefined {
  const paused = annotations?.['autoscaling.keda.sh/paused'];
  const pausedReplicas = annotations?.['autoscaling.keda.sh/paused-replicas'];
  if (paused === undefined && pausedReplicas === undefined) return undefined;
  return { paused, pausedReplicas };
}

function placement(podSpec: Json): PodPlacement {
  const terms =
    podSpec?.affinity?.nodeAffinity
      ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return {
    nodeSelector: share(podSpec?.nodeSelector ?? {}),
    tolerations: share(
      (podSpec?.tolerations ?? []).map((t: Json) => ({
        key: t.key,
        operator: t.operator,
        value: t.value,
        effect: t.effect,
      })),
    ),
    affinityTerms: share(
      terms.map((t: Json) =>
        (t.matchExpressions ?? []).map((e: Json) => ({
          key: e.key,
          operator: e.operator,
          values: e.values,
        })),
      ),
    ),
  };
}

const images = (podSpec: Json): string[] =>
  share((podSpec?.containers ?? []).map((c: Json) => c.image));

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
  share(
    Object.fromEntries(
      Object.entries<string>(o.metadata?.annotations ?? {}).filter(([k]) =>
        k.startsWith('prometheus.io/'),
      ),
    ),
  );

function workload(kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet') {
  return (o: Json) => ({
    ...key(o),
    namespace: intern(o.metadata.namespace),
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
      namespace: intern(o.metadata.namespace),
      owners: owners(o),
      nodeName: intern(o.spec?.nodeName),
      phase: intern(o.status?.phase ?? 'Unknown'),
      ready: ready?.status === 'True',
      requests: share(podRequests(o.spec)),
      scheduled: share(
        scheduled && {
          status: scheduled.status,
          reason: scheduled.reason,
          message: scheduled.message,
        },
      ),
      containers: share(
        (o.status?.containerStatuses ?? []).map(containerStatus),
      ),
      startedAt: intern(o.status?.startTime),
      deleting: Boolean(o.metadata?.deletionTimestamp),
      annotations: prometheusAnnotations(o),
    };
  },
  daemonsets: o => ({
    ...key(o),
    ...placement(o.spec?.template?.spec),
    namespace: intern(o.metadata.namespace),
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
    namespace: intern(o.metadata.namespace),
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
    namespace: intern(o.metadata.namespace),
    disruptionsAllowed: o.status?.disruptionsAllowed ?? 0,
    currentHealthy: o.status?.currentHealthy ?? 0,
    desiredHealthy: o.status?.desiredHealthy ?? 0,
    expectedPods: o.status?.expectedPods ?? 0,
    minAvailable: o.spec?.minAvailable,
    maxUnavailable: o.spec?.maxUnavailable,
  }),
  githubreleases: o => ({
    ...key(o),
    namespace: intern(o.metadata.namespace),
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
    namespace: intern(o.metadata.namespace),
    target: scaleTarget(o),
    minReplicas: o.spec?.minReplicaCount,
    maxReplicas: o.spec?.maxReplicaCount,
    idleReplicas: o.spec?.idleReplicaCount,
    pollingIntervalSeconds: o.spec?.pollingInterval,
    cooldownPeriodSeconds: o.spec?.cooldownPeriod,
    fallbackReplicas: o.spec?.fallback?.replicas,
    pausedAnnotation: pausedAnnotation(o.metadata?.annotations),
    triggers: (o.spec?.triggers ?? []).map((t: Json) => ({
      type: t.type,
      name: t.name,
      metadata: t.metadata ?? {},
    })),
    conditions: conditions(o),
    hpaName:
      o.status?.hpaName ??
      o.spec?.advanced?.horizontalPodAutoscalerConfig?.name,
    lastActiveTime: o.status?.lastActiveTime,
    pausedReplicaCount: o.status?.pausedReplicaCount,
  }),
  horizontalpodautoscalers: o => ({
    ...key(o),
    namespace: intern(o.metadata.namespace),
    target: scaleTarget(o),
    minReplicas: o.spec?.minReplicas ?? 1,
    maxReplicas: o.spec?.maxReplicas,
    currentReplicas: o.status?.currentReplicas ?? 0,
    desiredReplicas: o.status?.desiredReplicas ?? 0,
    lastScaleTime: o.status?.lastScaleTime,
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
  horizontalpodautoscalers: {
    path: '/apis/autoscaling/v2/horizontalpodautoscalers',
  },
};
