import { KUBERNETES_ID_LABEL } from '@internal/plugin-cluster-health-common';
import type { ClusterView } from './types';

/** What a catalog entity with backstage.io/kubernetes-id looks like to the views. */
export interface EntityLink {
  entityRef: string;
  ownerRef?: string;
  /** backstage.io/kubernetes-namespace, when the entity pins one. */
  namespace?: string;
  /** backstage.io/kubernetes-cluster, when the entity pins one (a cluster's name). */
  cluster?: string;
}

/** kubernetes-id → the entities that claim it (usually one). */
export type EntityIndex = Map<string, EntityLink[]>;

/**
 * The kubernetes-id of an object: its own label, else that of its owners (a pod's
 * ReplicaSet, that ReplicaSet's Deployment, a Job's owner).
 */
export function kubernetesIdResolver(cluster: ClusterView) {
  const byUid = new Map<
    string,
    { labels: Record<string, string>; owners: { uid: string }[] }
  >();
  for (const resource of [
    'replicasets',
    'deployments',
    'statefulsets',
    'jobs',
    'daemonsets',
  ] as const) {
    for (const o of cluster.list(resource)) {
      byUid.set(o.uid, {
        labels: o.labels,
        owners: 'owners' in o ? o.owners : [],
      });
    }
  }
  return function resolve(object: {
    labels: Record<string, string>;
    owners?: { uid: string }[];
  }): string | undefined {
    let current: typeof object | undefined = object;
    for (let depth = 0; current && depth < 4; depth++) {
      const id = current.labels[KUBERNETES_ID_LABEL];
      if (id) return id;
      current = current.owners?.map(o => byUid.get(o.uid)).find(Boolean);
    }
    return undefined;
  };
}

/**
 * The entity an object with this kubernetes-id in this namespace of this cluster belongs to:
 * an entity that pins another cluster (backstage.io/kubernetes-cluster) never claims it; of the
 * others, one that pins the namespace wins over one that pins none.
 */
export function linkFor(
  index: EntityIndex,
  id: string | undefined,
  namespace?: string,
  cluster?: string,
) {
  if (!id) return undefined;
  const candidates = (index.get(id) ?? []).filter(
    c => !c.cluster || cluster === undefined || c.cluster === cluster,
  );
  return (
    candidates.find(c => c.namespace && c.namespace === namespace) ??
    candidates.find(c => !c.namespace)
  );
}
