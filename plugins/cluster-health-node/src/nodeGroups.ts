import { Config } from '@backstage/config';
import { DEFAULT_NODE_GROUP_LABELS } from './DefaultClusterCache';

/** `clusterHealth.nodeGroupLabels`: the node labels that name a node's group, tried in order. */
export function readNodeGroupLabels(config: Config): string[] {
  return (
    config.getOptionalStringArray('clusterHealth.nodeGroupLabels') ??
    DEFAULT_NODE_GROUP_LABELS
  );
}

/** The group of a node that carries none of the labels and no role label. */
export const UNGROUPED = '(no node group)';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
/** Roles that win when a node has several (a k3s server is control-plane, etcd and master). */
const ROLE_ORDER = ['control-plane', 'master', 'etcd', 'worker'];

/**
 * The node group a node belongs to: the first of `labels` it carries (a managed node group, a
 * Karpenter node pool, ...); failing those, its role from `node-role.kubernetes.io/<role>`, as
 * k3s, kubeadm and most on-prem clusters label nodes (control-plane before master, etcd and
 * worker; other roles in name order); failing that, `(no node group)`.
 */
export function nodeGroupOf(
  nodeLabels: Record<string, string>,
  labels: string[],
): { name: string; label: string } {
  for (const label of labels) {
    if (nodeLabels[label]) return { name: nodeLabels[label], label };
  }
  const roles = Object.keys(nodeLabels)
    .filter(k => k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length)
    .map(k => k.slice(ROLE_PREFIX.length))
    .sort((a, b) => {
      const ia = ROLE_ORDER.indexOf(a);
      const ib = ROLE_ORDER.indexOf(b);
      return (
        (ia < 0 ? ROLE_ORDER.length : ia) - (ib < 0 ? ROLE_ORDER.length : ib) ||
        a.localeCompare(b)
      );
    });
  if (roles.length > 0) {
    return { name: roles[0], label: `${ROLE_PREFIX}${roles[0]}` };
  }
  return { name: UNGROUPED, label: '' };
}
