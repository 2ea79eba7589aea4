import { WarningEvent } from '@internal/plugin-cluster-health-common';
import {
  ClusterView,
  EntityIndex,
  kubernetesIdResolver,
  linkFor,
} from '@internal/plugin-cluster-health-node';

export const DEFAULT_EVENT_LIMIT = 50;

/** The kinds whose objects the cache holds, so that an event can be linked to its entity. */
const CACHED_KINDS = {
  Pod: 'pods',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Job: 'jobs',
} as const;

/**
 * The cluster's recent warning events, newest first, each linked to the catalog entity of
 * the object it is about (through the object's own or its owners' kubernetes-id). Every
 * warning event counts, whether or not it belongs to a problem the page lists.
 */
export function recentWarningEvents(
  cluster: ClusterView,
  entities: EntityIndex,
  options: { namespace?: string; limit?: number } = {},
): WarningEvent[] {
  const { namespace, limit = DEFAULT_EVENT_LIMIT } = options;
  const events = cluster
    .list('events')
    .filter(e => !namespace || e.object.namespace === namespace)
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
    .slice(0, limit);
  if (events.length === 0) return [];

  const resolveId = kubernetesIdResolver(cluster);
  const objects = new Map<
    string,
    { labels: Record<string, string>; owners?: { uid: string }[] }
  >();
  for (const [kind, resource] of Object.entries(CACHED_KINDS)) {
    for (const o of cluster.list(resource)) {
      objects.set(`${kind}/${o.namespace ?? ''}/${o.name}`, o);
    }
  }
  return events.map(e => {
    const object = objects.get(
      `${e.object.kind}/${e.object.namespace ?? ''}/${e.object.name}`,
    );
    const link = object
      ? linkFor(entities, resolveId(object), e.object.namespace, cluster.name)
      : undefined;
    return {
      cluster: cluster.name,
      namespace: e.object.namespace,
      object: { kind: e.object.kind, name: e.object.name },
      reason: e.reason,
      message: e.message,
      count: e.count,
      lastSeen: e.lastSeen,
      entityRef: link?.entityRef,
      ownerRef: link?.ownerRef,
    };
  });
}
