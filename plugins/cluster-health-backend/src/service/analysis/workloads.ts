import {
  GithubReleaseJob,
  GithubReleaseView,
  KUBERNETES_ID_LABEL,
  RolloutState,
  WorkloadPod,
  WorkloadSummary,
} from '@internal/plugin-cluster-health-common';
import {
  CachedJob,
  CachedPod,
  ClusterIndex,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import { notReadyReason, rolloutState } from './rollout';

function podView(pod: CachedPod): WorkloadPod {
  return {
    name: pod.name,
    phase: pod.phase,
    ready: pod.ready,
    restarts: pod.containers.reduce((n, c) => n + c.restartCount, 0),
    reason: pod.ready ? undefined : notReadyReason(pod),
    node: pod.nodeName,
  };
}

const JOB_ROLLOUT: Record<GithubReleaseJob['status'], RolloutState> = {
  failed: 'stalled',
  succeeded: 'complete',
  running: 'progressing',
  pending: 'progressing',
};

function jobState(job: CachedJob): GithubReleaseJob['status'] {
  if (job.conditions.some(c => c.type === 'Failed' && c.status === 'True'))
    return 'failed';
  if (job.conditions.some(c => c.type === 'Complete' && c.status === 'True'))
    return 'succeeded';
  return job.active > 0 ? 'running' : 'pending';
}

/**
 * The workloads labelled (directly or through an owner) with one kubernetes-id, from the
 * cluster's index: the objects of that id only, not a scan of the cluster.
 */
export function entityWorkloads(
  cluster: ClusterView,
  kubernetesId: string,
  namespace?: string,
): WorkloadSummary[] {
  const index = ClusterIndex.of(cluster);
  const objects = index.withId(kubernetesId);
  const inScope = (o: { namespace?: string }) =>
    !namespace || o.namespace === namespace;
  const pods = objects.pods.filter(inScope);
  const deploymentOf = (replicaSetUid: string) =>
    index
      .get('replicasets', replicaSetUid)
      ?.owners.find(o => o.kind === 'Deployment')?.uid;
  // Pods by the workload that owns them: directly, or through a Deployment's ReplicaSet.
  const podsByWorkload = new Map<string, CachedPod[]>();
  for (const pod of pods) {
    const workloads = new Set<string>();
    for (const o of pod.owners) {
      workloads.add(o.uid);
      const deployment = deploymentOf(o.uid);
      if (deployment) workloads.add(deployment);
    }
    for (const uid of workloads) {
      const list = podsByWorkload.get(uid);
      if (list) list.push(pod);
      else podsByWorkload.set(uid, [pod]);
    }
  }
  const podsOf = (uid: string) => podsByWorkload.get(uid) ?? [];
  const notReadyNodes = index.notReadyNodes();
  const restarts = (list: WorkloadPod[]) =>
    list.reduce((n, p) => n + p.restarts, 0);

  const result: WorkloadSummary[] = [];
  for (const w of [...objects.deployments, ...objects.statefulsets]) {
    if (!inScope(w) || w.labels[KUBERNETES_ID_LABEL] !== kubernetesId) continue;
    const cachedPods = podsOf(w.uid);
    const workloadPods = cachedPods.map(podView);
    const { state, message } = rolloutState(w, cachedPods, notReadyNodes);
    result.push({
      kind: w.kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment',
      namespace: w.namespace,
      name: w.name,
      desired: w.desired,
      ready: w.ready,
      updated: w.updated,
      rollout: state,
      message,
      restarts: restarts(workloadPods),
      images: w.images,
      pods: workloadPods,
    });
  }
  for (const ds of objects.daemonsets) {
    if (!inScope(ds) || ds.labels[KUBERNETES_ID_LABEL] !== kubernetesId)
      continue;
    const cachedPods = podsOf(ds.uid);
    const dsPods = cachedPods.map(podView);
    const { state, message } = rolloutState(
      { ...ds, kind: 'DaemonSet' },
      cachedPods,
      notReadyNodes,
    );
    result.push({
      kind: 'DaemonSet',
      namespace: ds.namespace,
      name: ds.name,
      desired: ds.desired,
      ready: ds.ready,
      updated: ds.updated,
      rollout: state,
      message,
      restarts: restarts(dsPods),
      images: ds.images,
      pods: dsPods,
    });
  }
  for (const job of objects.jobs) {
    if (!inScope(job)) continue;
    const jobPods = podsOf(job.uid).map(podView);
    const state = jobState(job);
    const failed = job.conditions.find(
      c => c.type === 'Failed' && c.status === 'True',
    );
    result.push({
      kind: 'Job',
      namespace: job.namespace,
      name: job.name,
      desired: 1,
      ready: job.succeeded,
      updated: 1,
      rollout: JOB_ROLLOUT[state],
      message: failed
        ? `${failed.reason}: ${failed.message ?? ''}`.trim()
        : undefined,
      restarts: restarts(jobPods),
      images: [],
      pods: jobPods,
    });
  }
  return result.sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name),
  );
}

/** GithubRelease objects with the producer Jobs they own. */
export function githubReleases(cluster: ClusterView): GithubReleaseView[] {
  const jobs = cluster.list('jobs');
  return cluster
    .list('githubreleases')
    .map(release => {
      const produced =
        release.conditions.find(c => c.type === 'Produced') ??
        release.conditions[0];
      return {
        cluster: cluster.name,
        namespace: release.namespace,
        name: release.name,
        repository: release.repository,
        tag: release.tag,
        url: release.url,
        publishedAt: release.publishedAt,
        phase: release.phase ?? 'Unknown',
        message: produced?.message,
        jobs: jobs
          .filter(j => j.owners.some(o => o.uid === release.uid))
          .map(j => {
            const failed = j.conditions.find(
              c => c.type === 'Failed' && c.status === 'True',
            );
            return {
              name: j.name,
              status: jobState(j),
              startedAt: j.startedAt,
              completedAt: j.completedAt,
              message: failed
                ? `${failed.reason}: ${failed.message ?? ''}`.trim()
                : undefined,
            };
          }),
      };
    })
    .sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? ''));
}
