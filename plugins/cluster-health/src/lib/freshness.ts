import {
  ClusterSummary,
  ResourceFreshness,
  WatchedResource,
} from '@internal/plugin-cluster-health-common';
import { formatAge } from './format';

/** The API group of each watched type ('' is the core group), and the CRD of custom ones. */
const API: Record<WatchedResource, { group: string; crd?: boolean }> = {
  nodes: { group: '' },
  pods: { group: '' },
  daemonsets: { group: 'apps' },
  deployments: { group: 'apps' },
  replicasets: { group: 'apps' },
  statefulsets: { group: 'apps' },
  jobs: { group: 'batch' },
  events: { group: '' },
  poddisruptionbudgets: { group: 'policy' },
  githubreleases: { group: 'platform.example.com', crd: true },
  scaledobjects: { group: 'keda.sh', crd: true },
  horizontalpodautoscalers: { group: 'autoscaling' },
};

/** `poddisruptionbudgets.policy`, `pods` (core): how RBAC rules and CRDs name a type. */
export const qualifiedName = (resource: WatchedResource) =>
  API[resource].group ? `${resource}.${API[resource].group}` : resource;

/**
 * Why a resource type is not (fully) read, in words a platform engineer can act on, or
 * undefined when it is synced.
 */
export function unreadWords(f: ResourceFreshness): string | undefined {
  const { group, crd } = API[f.resource];
  switch (f.state) {
    case 'synced':
      return undefined;
    case 'forbidden':
      return `forbidden (the portal's identity may not list ${
        f.resource
      }; RBAC needed: get, list, watch on ${f.resource} in API group ${
        group ? `"${group}"` : 'core ("")'
      }, cluster-wide)`;
    case 'not-installed':
      return crd
        ? `not installed (CRD ${qualifiedName(f.resource)} not found)`
        : `not served by this API server (${qualifiedName(f.resource)})`;
    case 'stale':
      return `stale (the watch broke; showing what was read${
        f.lastEventAt ? ` up to ${formatAge(f.lastEventAt)}` : ''
      })`;
    case 'syncing':
      return 'still being listed';
    default:
      return `not read (${f.error ?? 'unknown error'})`;
  }
}

/** The types among `resources` that the cluster does not read as it should, with why. */
export function unreadResources(
  cluster: Pick<ClusterSummary, 'resources'>,
  resources: readonly WatchedResource[],
): { resource: WatchedResource; state: string; words: string }[] {
  return cluster.resources
    .filter(f => resources.includes(f.resource))
    .flatMap(f => {
      const words = unreadWords(f);
      return words ? [{ resource: f.resource, state: f.state, words }] : [];
    });
}

/** What the problem rules read: a problem list is complete only when all are synced. */
export const PROBLEM_SOURCES: readonly WatchedResource[] = [
  'nodes',
  'pods',
  'jobs',
  'deployments',
  'statefulsets',
  'daemonsets',
  'poddisruptionbudgets',
];
