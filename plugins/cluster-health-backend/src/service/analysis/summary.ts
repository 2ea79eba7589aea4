import {
  ClusterStatus,
  ClusterSummary,
  Problem,
} from '@internal/plugin-cluster-health-common';
import type { ClusterView } from '@internal/plugin-cluster-health-node';

/**
 * Custom resources that a cluster may well not have (no GithubRelease operator, no KEDA, as on
 * the on-prem k3s cluster): not installed there is no degradation.
 */
const OPTIONAL_CUSTOM_RESOURCES: string[] = ['githubreleases', 'scaledobjects'];

/** ok / starting / degraded / down, and a message naming what is not being read and why. */
export function clusterStatus(cluster: ClusterView): {
  status: ClusterStatus;
  message?: string;
} {
  const freshness = cluster
    .freshness()
    .filter(
      f =>
        !(
          f.state === 'not-installed' &&
          OPTIONAL_CUSTOM_RESOURCES.includes(f.resource)
        ),
    );
  const broken = freshness.filter(
    f => f.state !== 'synced' && f.state !== 'syncing',
  );
  if (freshness.every(f => f.state === 'synced')) return { status: 'ok' };
  if (broken.length === 0)
    return { status: 'starting', message: 'first listing in progress' };
  const unreachable = freshness.every(f => f.state === 'error');
  if (unreachable) {
    // A refused credential already says what to set for the cluster's auth provider
    // (auth.ts credentialsHint); what is left to check here is the address and the CA.
    const at = cluster.configKey ?? 'kubernetes.clusterLocatorMethods';
    return {
      status: 'down',
      message: `${broken[0].error}; check url and caData/caFile at ${at}`,
    };
  }
  return {
    status: 'degraded',
    message: broken
      .map(f => `${f.resource}: ${f.state}${f.error ? ` (${f.error})` : ''}`)
      .join('; '),
  };
}

export function clusterSummary(
  cluster: ClusterView,
  problems: Problem[],
): ClusterSummary {
  const nodes = cluster.list('nodes');
  const pods = cluster.list('pods');
  // Pod names are unique per namespace only: key by namespace/name, and count only this
  // cluster's problems.
  const podKey = (namespace: string | undefined, name: string) =>
    `${namespace ?? ''}/${name}`;
  const failing = new Set(
    problems
      .filter(p => p.cluster === cluster.name && p.object.kind === 'Pod')
      .map(p => podKey(p.namespace, p.object.name)),
  );
  return {
    name: cluster.name,
    title: cluster.title,
    ...clusterStatus(cluster),
    resources: cluster.freshness(),
    nodes: {
      total: nodes.length,
      notReady: nodes.filter(n => !n.ready).length,
    },
    pods: {
      total: pods.length,
      running: pods.filter(p => p.phase === 'Running').length,
      pending: pods.filter(p => p.phase === 'Pending').length,
      failing: pods.filter(
        p => p.phase === 'Failed' || failing.has(podKey(p.namespace, p.name)),
      ).length,
    },
    problems: {
      error: problems.filter(p => p.severity === 'error').length,
      warning: problems.filter(p => p.severity === 'warning').length,
    },
  };
}
