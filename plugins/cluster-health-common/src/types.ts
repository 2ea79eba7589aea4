/*
 * The cluster health API's response shapes (backend routes under /api/cluster-health).
 * Quantities are plain numbers: CPU in millicores, memory in bytes, GPUs as a count.
 */

/** The resource types the backend keeps a watch-fed cache of, per cluster. */
export const WATCHED_RESOURCES = [
  'nodes',
  'pods',
  'daemonsets',
  'deployments',
  'replicasets',
  'statefulsets',
  'jobs',
  'events',
  'poddisruptionbudgets',
  'githubreleases',
  'scaledobjects',
  'horizontalpodautoscalers',
] as const;
export type WatchedResource = (typeof WATCHED_RESOURCES)[number];

/**
 * How one resource type of one cluster is being kept:
 * - `syncing`: the first LIST has not finished yet
 * - `synced`: listed and watched; figures are current
 * - `stale`: was synced, the watch broke and is being re-established (figures are kept)
 * - `forbidden`: the API server answered 403 to the portal's identity
 * - `not-installed`: the API server does not know the type (a CRD that is not installed)
 * - `error`: anything else (unreachable API server, TLS, ...), with the message
 */
export type ResourceState =
  | 'syncing'
  | 'synced'
  | 'stale'
  | 'forbidden'
  | 'not-installed'
  | 'error';

export interface ResourceFreshness {
  resource: WatchedResource;
  state: ResourceState;
  /** Objects held in the cache. */
  count: number;
  /** ISO time of the last completed LIST. */
  listedAt?: string;
  /** ISO time of the last watch event (or LIST) that changed the cache. */
  lastEventAt?: string;
  error?: string;
}

/**
 * ok: every resource synced; degraded: some not; down: nothing could be read (also a
 * configured cluster the portal does not read at all: see `ClusterSummary.unsupported`).
 */
export type ClusterStatus = 'ok' | 'degraded' | 'down' | 'starting';

/**
 * A cluster, or a whole locator method, of `kubernetes.clusterLocatorMethods` that the
 * portal does not read: a locator type other than `config`, an `authProvider` other than
 * `serviceAccount` and `aws`, a missing `authProvider` (Backstage requires one), or a
 * missing `name` / `url`, or a serviceAccount cluster with no token outside a pod.
 */
export interface UnsupportedCluster {
  /** The cluster's name; absent for a locator method (catalog, gke, ...) or a nameless entry. */
  name?: string;
  /** The locator method's type: `config`, `catalog`, `gke`, `localKubectlProxy`, ... */
  locator: string;
  /** The cluster's authProvider as configured, if any. */
  authProvider?: string;
  /** The config key to change: `kubernetes.clusterLocatorMethods[0].clusters[1].authProvider`. */
  configKey: string;
  /**
   * In words, naming the key and what to set, e.g. "authProvider 'google' is not supported
   * here (kubernetes.clusterLocatorMethods[0].clusters[1].authProvider): use serviceAccount
   * or aws".
   */
  reason: string;
}

/**
 * One cluster of the overview (`GET /clusters`). Cluster URLs are never part of it (they
 * stay in the backend's log); a cluster is named by `name` and `title` only.
 */
export interface ClusterSummary {
  name: string;
  title?: string;
  status: ClusterStatus;
  /** What is wrong, for degraded and down clusters, naming what to check. */
  message?: string;
  /**
   * Set when the portal does not read this cluster (or locator method) at all: `status` is
   * then `down`, `message` the reason, `resources` empty and every count 0. For a locator
   * method without cluster names, `name` is its config key
   * (`kubernetes.clusterLocatorMethods[1]`) and `title` says which locator it is. The
   * frontend should show `unsupported.reason` in place of the cluster's panels.
   */
  unsupported?: UnsupportedCluster;
  resources: ResourceFreshness[];
  nodes: { total: number; notReady: number };
  pods: { total: number; running: number; pending: number; failing: number };
  problems: { error: number; warning: number };
}

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
  gpus: number;
}

export interface NodeSummary {
  name: string;
  ready: boolean;
  /** Why not Ready (the Ready condition's reason and message), or cordoned. */
  notReadyReason?: string;
  unschedulable: boolean;
  instanceType?: string;
  zone?: string;
  gpuModel?: string;
  allocatable: Resources;
  /** Sum of the requests of the pods bound to the node that are not finished. */
  requested: Resources;
  pods: number;
  taints: { key: string; value?: string; effect: string }[];
}

export interface NodeGroupSummary {
  name: string;
  /** The label that grouped the nodes (eks.amazonaws.com/nodegroup, karpenter.sh/nodepool, ...). */
  label: string;
  nodes: NodeSummary[];
  ready: number;
  notReady: number;
  instanceTypes: string[];
  zones: string[];
  allocatable: Resources;
  requested: Resources;
  /**
   * What remains free if the group's largest node is lost (N−1): allocatable of the other
   * Ready nodes minus everything requested in the group. Negative: the group cannot absorb it.
   */
  headroomNMinus1: Resources;
}

export type CoverageGapReason =
  | 'taint-not-tolerated'
  | 'node-selector'
  | 'pod-failing'
  | 'pod-pending'
  | 'not-scheduled'
  /** The node is NotReady: its pod cannot run or report, whatever the pod's own state. */
  | 'node-not-ready';

export interface CoverageGap {
  node: string;
  nodeGroup: string;
  reason: CoverageGapReason;
  /** The taint, the selector, or the pod's state, in words. */
  detail: string;
}

export interface DaemonSetCoverage {
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  /** Per node group: nodes in the group, pods desired there, pods ready there. */
  byNodeGroup: Record<
    string,
    { nodes: number; desired: number; ready: number }
  >;
  gaps: CoverageGap[];
}

export type ProblemKind =
  | 'CrashLoopBackOff'
  | 'ImagePullBackOff'
  | 'OOMKilled'
  | 'Pending'
  | 'JobFailed'
  | 'NodeNotReady'
  | 'RolloutStalled'
  | 'PDBBlocksDisruption';

export type Severity = 'error' | 'warning';

export interface Problem {
  /** Stable across refreshes: cluster/kind/namespace/name. */
  id: string;
  cluster: string;
  kind: ProblemKind;
  severity: Severity;
  namespace?: string;
  object: { kind: string; name: string };
  /** What is wrong, from the object's status (scheduler message, waiting reason, ...). */
  message: string;
  since?: string;
  /** The catalog entity whose backstage.io/kubernetes-id labels the object, if any. */
  entityRef?: string;
  /** That entity's owner (spec.owner), as an entity ref. */
  ownerRef?: string;
  /** Recent warning events about the object, newest first. */
  events: {
    reason: string;
    message: string;
    count: number;
    lastSeen?: string;
  }[];
}

/** A recent warning event of a cluster, on its own (not only as part of a problem). */
export interface WarningEvent {
  cluster: string;
  namespace?: string;
  /** The object the event is about (involvedObject). */
  object: { kind: string; name: string };
  reason: string;
  message: string;
  count: number;
  lastSeen?: string;
  /** The catalog entity whose backstage.io/kubernetes-id labels the object, if any. */
  entityRef?: string;
  ownerRef?: string;
}

export interface ProblemFilter {
  cluster?: string;
  namespace?: string;
  owner?: string;
  severity?: Severity;
}

export interface GithubReleaseJob {
  name: string;
  status: 'succeeded' | 'failed' | 'running' | 'pending';
  startedAt?: string;
  completedAt?: string;
  message?: string;
}

export interface GithubReleaseView {
  cluster: string;
  namespace: string;
  name: string;
  repository: string;
  tag: string;
  url?: string;
  publishedAt?: string;
  phase: string;
  message?: string;
  jobs: GithubReleaseJob[];
}

export type RolloutState =
  | 'complete'
  | 'progressing'
  | 'stalled'
  | 'scaled-down';

export interface WorkloadPod {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Waiting or last-terminated reason, or the scheduler's message for a Pending pod. */
  reason?: string;
  node?: string;
}

export interface WorkloadSummary {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job';
  namespace: string;
  name: string;
  desired: number;
  ready: number;
  updated: number;
  rollout: RolloutState;
  message?: string;
  restarts: number;
  images: string[];
  pods: WorkloadPod[];
  /** Its logs in the logs UI (`clusterHealth.logs.urlTemplate`); absent when not configured. */
  logsUrl?: string;
}

export interface EntityClusterWorkloads {
  cluster: string;
  status: ClusterStatus;
  message?: string;
  workloads: WorkloadSummary[];
  problems: Problem[];
}

export interface EntityWorkloads {
  entityRef: string;
  /** The value of backstage.io/kubernetes-id (or the entity's name when absent). */
  kubernetesId: string;
  namespace?: string;
  /** The value of backstage.io/kubernetes-cluster: the entity's objects only in that cluster. */
  cluster?: string;
  /** Every configured cluster, or only the one the entity pins. */
  clusters: EntityClusterWorkloads[];
}
