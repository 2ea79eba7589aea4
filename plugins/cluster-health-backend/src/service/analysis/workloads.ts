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
  ClusterView,
  kubernetesIdResolver,
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

/** The workloads labelled (directly or through an owner) with one kubernetes-id. */
export function entityWorkloads(
  cluster: ClusterView,
  kubernetesId: string,
  namespace?: string,
): WorkloadSummary[] {
  const resolveId = kubernetesIdResolver(cluster);
  const inScope = (o: { namespace?: string }) =>
    !namespace || o.namespace === namespace;
  const pods = cluster
    .list('pods')
    .filter(p => inScope(p) && resolveId(p) === kubernetesId);
  const replicaSetsOf = new Map<string, string>();
  for (const rs of cluster.list('replicasets')) {
    const owner = rs.owners.find(o => o.kind === 'Deployment');
    if (owner) replicaSetsOf.set(rs.uid, owner.uid);
  }
  const podsOf = (uid: string) =>
    pods.filter(p =>
      p.owners.some(o => o.uid === uid || replicaSetsOf.get(o.uid) === uid),
    );
  const notReadyNodes = new Set(
    cluster
      .list('nodes')
      .filter(n => !n.ready)
      .map(n => n.name),
  );
  const restarts = (list: WorkloadPod[]) =>
    list.reduce((n, p) => n + p.restarts, 0);

  const result: WorkloadSummary[] = [];
  for (const w of [
    ...cluster.list('deployments'),
    ...cluster.list('statefulsets'),
  ]) {
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
  for (const ds of cluster.list('daemonsets')) {
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
  for (const job of cluster.list('jobs')) {
    if (!inScope(job) || resolveId(job) !== kubernetesId) continue;
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
