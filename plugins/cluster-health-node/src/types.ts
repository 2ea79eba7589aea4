import type { ClusterIndex } from './ClusterIndex';
import type {
  ControlPlaneView,
  UnsupportedCluster,
  ResourceFreshness,
  Resources,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';

/*
 * What the cache keeps of each object: only the fields the portal's views use, so that a
 * 10,000-pod cluster costs megabytes, not the hundreds a full object cache would.
 */

export interface ObjectKey {
  namespace?: string;
  name: string;
  uid: string;
  labels: Record<string, string>;
  createdAt?: string;
}

export interface OwnerRef {
  kind: string;
  name: string;
  uid: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/** A required node-affinity term: every expression must match. */
export type NodeSelectorTerm = {
  key: string;
  operator: string;
  values?: string[];
}[];

export interface PodPlacement {
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
  /** Required node affinity: any one term must match (empty: no constraint). */
  affinityTerms: NodeSelectorTerm[];
}

export interface CachedNode extends ObjectKey {
  ready: boolean;
  readyReason?: string;
  readyMessage?: string;
  unschedulable: boolean;
  taints: Taint[];
  allocatable: Resources;
}

export interface CachedContainerStatus {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  waitingReason?: string;
  waitingMessage?: string;
  terminatedReason?: string;
  lastTerminatedReason?: string;
  lastTerminatedAt?: string;
}

export interface CachedPod extends ObjectKey, PodPlacement {
  namespace: string;
  owners: OwnerRef[];
  nodeName?: string;
  phase: string;
  ready: boolean;
  /** Requests summed over the containers (init containers: their largest request). */
  requests: Resources;
  scheduled?: { status: string; reason?: string; message?: string };
  containers: CachedContainerStatus[];
  startedAt?: string;
  deleting: boolean;
  /** prometheus.io/* annotations (the GPU plugin finds model servers' scrape targets by them). */
  annotations: Record<string, string>;
}

export interface CachedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface CachedWorkload extends ObjectKey {
  namespace: string;
  kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet';
  owners: OwnerRef[];
  desired: number;
  ready: number;
  updated: number;
  available: number;
  images: string[];
  conditions: CachedCondition[];
  generation?: number;
  observedGeneration?: number;
}

export interface CachedDaemonSet extends ObjectKey, PodPlacement {
  namespace: string;
  /** status.desiredNumberScheduled */
  desired: number;
  /** status.numberReady */
  ready: number;
  /** status.updatedNumberScheduled: nodes running the current pod template */
  updated: number;
  images: string[];
  generation?: number;
  observedGeneration?: number;
}

export interface CachedJob extends ObjectKey {
  namespace: string;
  owners: OwnerRef[];
  conditions: CachedCondition[];
  startedAt?: string;
  completedAt?: string;
  active: number;
  succeeded: number;
  failed: number;
}

export interface CachedEvent {
  uid: string;
  namespace?: string;
  object: { kind: string; name: string; namespace?: string; uid?: string };
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
}

export interface CachedPodDisruptionBudget extends ObjectKey {
  namespace: string;
  disruptionsAllowed: number;
  currentHealthy: number;
  desiredHealthy: number;
  expectedPods: number;
  minAvailable?: string | number;
  maxUnavailable?: string | number;
}

export interface CachedGithubRelease extends ObjectKey {
  namespace: string;
  repository: string;
  tag: string;
  url?: string;
  publishedAt?: string;
  phase?: string;
  jobName?: string;
  conditions: CachedCondition[];
}

export interface CachedScaledObject extends ObjectKey {
  namespace: string;
  target: { kind?: string; name: string };
  minReplicas?: number;
  maxReplicas?: number;
  /** spec.idleReplicaCount: the replicas while inactive, when not minReplicas. */
  idleReplicas?: number;
  pollingIntervalSeconds?: number;
  cooldownPeriodSeconds?: number;
  /** spec.fallback.replicas: what KEDA sets after failureThreshold scaler errors. */
  fallbackReplicas?: number;
  /** The `autoscaling.keda.sh/paused` and `/paused-replicas` annotations, when set. */
  pausedAnnotation?: { paused?: string; pausedReplicas?: string };
  triggers: { type: string; name?: string; metadata: Record<string, string> }[];
  /** Ready, Active, Fallback, Paused. */
  conditions: CachedCondition[];
  /** The HPA KEDA made for it (status.hpaName). */
  hpaName?: string;
  lastActiveTime?: string;
  pausedReplicaCount?: number;
}

/** An autoscaling/v2 HorizontalPodAutoscaler (KEDA makes one per ScaledObject). */
export interface CachedHorizontalPodAutoscaler extends ObjectKey {
  namespace: string;
  target: { kind?: string; name: string };
  minReplicas: number;
  maxReplicas?: number;
  currentReplicas: number;
  desiredReplicas: number;
  lastScaleTime?: string;
  /** AbleToScale, ScalingActive, ScalingLimited. */
  conditions: CachedCondition[];
}

/** The cached type of each watched resource. */
export interface CachedObjects {
  nodes: CachedNode;
  pods: CachedPod;
  daemonsets: CachedDaemonSet;
  deployments: CachedWorkload;
  replicasets: CachedWorkload;
  statefulsets: CachedWorkload;
  jobs: CachedJob;
  events: CachedEvent;
  poddisruptionbudgets: CachedPodDisruptionBudget;
  githubreleases: CachedGithubRelease;
  scaledobjects: CachedScaledObject;
  horizontalpodautoscalers: CachedHorizontalPodAutoscaler;
}

/**
 * How the portal authenticates to one cluster, from its `authProvider` and `authMetadata`
 * (Backstage's keys):
 * - `serviceAccount` with `serviceAccountToken`: that bearer token;
 * - `serviceAccount` without one: the pod's own projected token (`tokenFile`), read again
 *   when it rotates;
 * - `aws`: an EKS token presigned with the backend's AWS identity (default credential chain),
 *   optionally after assuming `kubernetes.io/aws-assume-role` with
 *   `kubernetes.io/aws-external-id`; `clusterId` is `kubernetes.io/x-k8s-aws-id` or the name.
 */
export type ClusterAuth =
  | { provider: 'serviceAccount'; token: string }
  | { provider: 'serviceAccount'; tokenFile: string }
  | {
      provider: 'aws';
      clusterId: string;
      assumeRole?: string;
      externalId?: string;
    };

/** One cluster of `kubernetes.clusterLocatorMethods`, as the cache reads it. */
export interface ClusterConfig {
  name: string;
  title?: string;
  /** The API server; for the backend's requests and log only, never sent to users. */
  url: string;
  auth: ClusterAuth;
  /** Where the cluster is configured: `kubernetes.clusterLocatorMethods[0].clusters[1]`. */
  configKey?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
}

/** A point-in-time, read-only view of one cluster's cache. */
export interface ClusterView {
  readonly name: string;
  readonly title?: string;
  /** The API server, for the backend's log only: never put it in a response. */
  readonly url: string;
  /** Where the cluster is configured (`kubernetes.clusterLocatorMethods[0].clusters[1]`). */
  readonly configKey?: string;
  freshness(): ResourceFreshness[];
  list<R extends WatchedResource>(resource: R): CachedObjects[R][];
  /**
   * The control plane as last probed (`/readyz`, `/livez`, `/version`, the leader Leases),
   * stale with the last figures while the API server does not answer.
   */
  controlPlane(): ControlPlaneView;
  /**
   * Lookups kept current as watch events arrive (kubernetes-id → objects, pods per owner and
   * node, events per object); see ClusterIndex. A view without one (a hand-built view) gets
   * a one-off index from `ClusterIndex.of(view)`.
   */
  index?(): ClusterIndex;
}

/**
 * The shared cache of every configured cluster. Started with the backend; every request
 * reads from memory. A cluster that is down, or a type the portal may not read, shows in
 * `freshness()` while the rest keeps serving.
 */
export interface ClusterCache {
  clusters(): ClusterView[];
  /**
   * The clusters and locator methods of `kubernetes.clusterLocatorMethods` that the cache
   * does not read (unsupported locator type or authProvider, a required key missing), each
   * with the reason and the config key to change.
   */
  unsupported(): UnsupportedCluster[];
  cluster(name: string): ClusterView | undefined;
  /** Resolves when every informer has finished its first LIST or failed it. */
  ready(): Promise<void>;
}
