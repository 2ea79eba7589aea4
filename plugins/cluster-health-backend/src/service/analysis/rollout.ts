import { RolloutState } from '@internal/plugin-cluster-health-common';
import type {
  CachedCondition,
  CachedPod,
} from '@internal/plugin-cluster-health-node';

/** What a rollout is judged on: a Deployment, StatefulSet or DaemonSet's status. */
export interface RolloutStatus {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet';
  /** spec.replicas, or a DaemonSet's desiredNumberScheduled */
  desired: number;
  /** readyReplicas / numberReady */
  ready: number;
  /** updatedReplicas / updatedNumberScheduled */
  updated: number;
  generation?: number;
  observedGeneration?: number;
  conditions?: CachedCondition[];
}

/**
 * Pod states that do not clear by waiting: the rollout stays where it is until someone
 * changes the image, the config or the capacity.
 */
const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Why the pod blocks a rollout, or undefined when it is merely on its way. */
export function stuckReason(pod: CachedPod): string | undefined {
  if (pod.ready || pod.deleting || pod.phase === 'Succeeded') return undefined;
  const container = pod.containers.find(
    c => c.waitingReason && STUCK_REASONS.has(c.waitingReason),
  );
  if (container) return container.waitingReason;
  if (
    !pod.nodeName &&
    pod.scheduled?.status === 'False' &&
    pod.scheduled.reason === 'Unschedulable'
  ) {
    return `Unschedulable: ${pod.scheduled.message ?? 'no node fits'}`;
  }
  return undefined;
}

/** Why a not-ready pod is not ready, in words: its container's reason or the scheduler's. */
export function notReadyReason(pod: CachedPod): string | undefined {
  const failing = pod.containers.find(c => !c.ready);
  return (
    failing?.waitingReason ??
    failing?.terminatedReason ??
    (pod.scheduled?.status === 'False' ? pod.scheduled.message : undefined)
  );
}

/**
 * The rollout state of a workload from its status and its pods.
 *
 * A Deployment is `stalled` when its controller says so (Progressing=False, i.e.
 * progressDeadlineSeconds passed). StatefulSets and DaemonSets have no such condition: they
 * are `stalled` when the controller has seen the current spec, not every pod is updated and
 * ready, and a pod is in a state that does not clear by waiting (crash loop, image pull,
 * unschedulable). Pods on NotReady nodes are left out of that judgement: the node is the
 * problem there, reported as such.
 */
export function rolloutState(
  workload: RolloutStatus,
  pods: CachedPod[],
  notReadyNodes: ReadonlySet<string> = new Set(),
): { state: RolloutState; message?: string } {
  const live = pods.filter(p => p.phase !== 'Succeeded' && !p.deleting);
  const why = live.find(p => !p.ready && notReadyReason(p));
  const detail = why ? `${why.name}: ${notReadyReason(why)}` : undefined;

  if (workload.kind === 'Deployment' || workload.kind === 'ReplicaSet') {
    const progressing = workload.conditions?.find(
      c => c.type === 'Progressing',
    );
    if (progressing?.status === 'False') {
      return {
        state: 'stalled',
        message: [progressing.message, detail].filter(Boolean).join('; '),
      };
    }
  }
  if (workload.desired === 0) {
    return {
      state: workload.kind === 'DaemonSet' ? 'complete' : 'scaled-down',
    };
  }
  const seen =
    workload.generation === undefined ||
    workload.observedGeneration === undefined ||
    workload.observedGeneration >= workload.generation;
  if (!seen) {
    return {
      state: 'progressing',
      message: `the ${workload.kind} controller has not yet acted on generation ${workload.generation}`,
    };
  }
  if (
    workload.updated >= workload.desired &&
    workload.ready >= workload.desired
  )
    return { state: 'complete' };

  const counts = `${workload.updated} of ${workload.desired} updated, ${workload.ready} ready`;
  if (workload.kind === 'StatefulSet' || workload.kind === 'DaemonSet') {
    const stuck = live.find(
      p =>
        !(p.nodeName && notReadyNodes.has(p.nodeName)) &&
        stuckReason(p) !== undefined,
    );
    if (stuck) {
      return {
        state: 'stalled',
        message: `${counts}; ${stuck.name}: ${stuckReason(stuck)}`,
      };
    }
    return {
      state: 'progressing',
      message: [counts, detail].filter(Boolean).join('; '),
    };
  }
  return { state: 'progressing', message: detail };
}
