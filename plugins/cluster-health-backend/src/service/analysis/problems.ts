import {
  Problem,
  ProblemKind,
  Severity,
} from '@internal/plugin-cluster-health-common';
import {
  CachedObjects,
  CachedPod,
  ClusterIndex,
  ClusterView,
  EntityIndex,
  linkFor,
} from '@internal/plugin-cluster-health-node';
import { rolloutState } from './rollout';

const IMAGE_PULL = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
]);
const MAX_EVENTS_PER_PROBLEM = 5;

/** What is wrong with a pod, if anything: the first failing container decides. */
function podProblem(
  pod: CachedPod,
): { kind: ProblemKind; message: string; since?: string } | undefined {
  for (const c of pod.containers) {
    if (c.waitingReason === 'CrashLoopBackOff') {
      const last = c.lastTerminatedReason
        ? `, last exit: ${c.lastTerminatedReason}`
        : '';
      const kind =
        c.lastTerminatedReason === 'OOMKilled'
          ? 'OOMKilled'
          : 'CrashLoopBackOff';
      return {
        kind,
        message: `container ${c.name} restarting (${c.restartCount} restarts${last})`,
        since: c.lastTerminatedAt,
      };
    }
    if (c.waitingReason && IMAGE_PULL.has(c.waitingReason)) {
      return {
        kind: 'ImagePullBackOff',
        message:
          c.waitingMessage ??
          `container ${c.name}: ${c.waitingReason} (${c.image})`,
      };
    }
    if (
      c.terminatedReason === 'OOMKilled' ||
      c.lastTerminatedReason === 'OOMKilled'
    ) {
      return {
        kind: 'OOMKilled',
        message: `container ${c.name} was killed for exceeding its memory limit (${c.restartCount} restarts)`,
        since: c.lastTerminatedAt,
      };
    }
  }
  if (
    pod.phase === 'Pending' &&
    !pod.nodeName &&
    pod.scheduled?.status === 'False'
  ) {
    return {
      kind: 'Pending',
      message: pod.scheduled.message ?? pod.scheduled.reason ?? 'not scheduled',
      since: pod.createdAt,
    };
  }
  return undefined;
}

const SEVERITY: Record<ProblemKind, Severity> = {
  CrashLoopBackOff: 'error',
  ImagePullBackOff: 'error',
  OOMKilled: 'error',
  JobFailed: 'error',
  NodeNotReady: 'error',
  RolloutStalled: 'error',
  Pending: 'warning',
  PDBBlocksDisruption: 'warning',
};

/** The objects problems are looked for in: a whole cluster, or one kubernetes-id's. */
type ProblemObjects = Pick<
  { [R in keyof CachedObjects]: CachedObjects[R][] },
  | 'nodes'
  | 'pods'
  | 'jobs'
  | 'deployments'
  | 'statefulsets'
  | 'daemonsets'
  | 'poddisruptionbudgets'
>;

/**
 * Every problem in one cluster, linked to the catalog entity whose backstage.io/kubernetes-id
 * labels the object (or its owner) and to that entity's owner.
 */
export function clusterProblems(
  cluster: ClusterView,
  entities: EntityIndex,
): Problem[] {
  return problemsOf(cluster, entities, ClusterIndex.of(cluster), {
    nodes: cluster.list('nodes'),
    pods: cluster.list('pods'),
    jobs: cluster.list('jobs'),
    deployments: cluster.list('deployments'),
    statefulsets: cluster.list('statefulsets'),
    daemonsets: cluster.list('daemonsets'),
    poddisruptionbudgets: cluster.list('poddisruptionbudgets'),
  });
}

/**
 * The problems of one entity in one cluster: those of the objects with its kubernetes-id
 * (found through the cluster's index, not by scanning the cluster) that link to `entityRef`.
 * The same problems as `clusterProblems(...)` filtered to that entity.
 */
export function entityProblems(
  cluster: ClusterView,
  entities: EntityIndex,
  kubernetesId: string,
  entityRef: string,
): Problem[] {
  const index = ClusterIndex.of(cluster);
  return problemsOf(
    cluster,
    entities,
    index,
    index.withId(kubernetesId),
  ).filter(p => p.entityRef === entityRef);
}

function problemsOf(
  cluster: ClusterView,
  entities: EntityIndex,
  index: ClusterIndex,
  objects: ProblemObjects,
): Problem[] {
  const notReadyNodes = index.notReadyNodes();
  const problems: Problem[] = [];

  const add = (
    kind: ProblemKind,
    object: {
      kind: string;
      name: string;
      namespace?: string;
      labels: Record<string, string>;
      uid: string;
    },
    message: string,
    since?: string,
  ) => {
    const link = linkFor(
      entities,
      index.kubernetesIdOf(object.uid),
      object.namespace,
      cluster.name,
    );
    const events = index
      .eventsAbout(object.kind, object.namespace, object.name)
      .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
      .slice(0, MAX_EVENTS_PER_PROBLEM)
      .map(e => ({
        reason: e.reason,
        message: e.message,
        count: e.count,
        lastSeen: e.lastSeen,
      }));
    problems.push({
      id: `${cluster.name}/${kind}/${object.namespace ?? ''}/${object.name}`,
      cluster: cluster.name,
      kind,
      severity: SEVERITY[kind],
      namespace: object.namespace,
      object: { kind: object.kind, name: object.name },
      message,
      since,
      entityRef: link?.entityRef,
      ownerRef: link?.ownerRef,
      events,
    });
  };

  for (const node of objects.nodes) {
    if (node.ready) continue;
    const stuck = index.podsOnNode(node.name).filter(p => !p.ready).length;
    add(
      'NodeNotReady',
      { kind: 'Node', name: node.name, labels: node.labels, uid: node.uid },
      [
        node.readyReason ?? 'no Ready condition',
        node.readyMessage ? `: ${node.readyMessage}` : '',
        stuck ? ` (${stuck} pods on it not ready)` : '',
      ].join(''),
    );
  }
  for (const pod of objects.pods) {
    if (pod.deleting || (pod.nodeName && notReadyNodes.has(pod.nodeName)))
      continue;
    const problem = podProblem(pod);
    if (problem)
      add(
        problem.kind,
        { kind: 'Pod', ...pod },
        problem.message,
        problem.since,
      );
  }
  for (const job of objects.jobs) {
    const failed = job.conditions.find(
      c => c.type === 'Failed' && c.status === 'True',
    );
    if (failed) {
      add(
        'JobFailed',
        { kind: 'Job', ...job },
        `${failed.reason ?? 'Failed'}${
          failed.message ? `: ${failed.message}` : ''
        }`,
        failed.lastTransitionTime,
      );
    }
  }
  for (const deployment of objects.deployments) {
    const progressing = deployment.conditions.find(
      c => c.type === 'Progressing',
    );
    if (
      progressing?.status === 'False' &&
      progressing.reason === 'ProgressDeadlineExceeded'
    ) {
      add(
        'RolloutStalled',
        deployment,
        progressing.message ??
          'the rollout made no progress within its deadline',
        progressing.lastTransitionTime,
      );
    }
  }
  // StatefulSets and DaemonSets own their pods directly; they have no progress deadline, so
  // a rollout is stalled when one of its pods is stuck (see rolloutState).
  const ownedWorkloads = [
    ...objects.statefulsets,
    ...objects.daemonsets.map(ds => ({
      ...ds,
      kind: 'DaemonSet' as const,
    })),
  ];
  for (const workload of ownedWorkloads) {
    const { state, message } = rolloutState(
      workload,
      index.podsOwnedBy(workload.uid),
      notReadyNodes,
    );
    if (state === 'stalled') {
      add(
        'RolloutStalled',
        workload,
        `rollout stalled: ${message ?? 'pods are not updated and ready'}`,
      );
    }
  }
  for (const pdb of objects.poddisruptionbudgets) {
    if (pdb.expectedPods > 0 && pdb.disruptionsAllowed === 0) {
      const rule =
        pdb.minAvailable !== undefined
          ? `minAvailable ${pdb.minAvailable}`
          : `maxUnavailable ${pdb.maxUnavailable}`;
      add(
        'PDBBlocksDisruption',
        { kind: 'PodDisruptionBudget', ...pdb },
        `${rule} with ${pdb.currentHealthy} of ${pdb.expectedPods} pods healthy: no pod may be evicted, node drains will block`,
      );
    }
  }
  const rank = { error: 0, warning: 1 };
  return problems.sort(
    (a, b) =>
      rank[a.severity] - rank[b.severity] ||
      a.kind.localeCompare(b.kind) ||
      a.id.localeCompare(b.id),
  );
}
