import type {
  CachedNode,
  NodeSelectorTerm,
  PodPlacement,
  Taint,
  Toleration,
} from '@internal/plugin-cluster-health-node';

/*
 * The scheduler's placement rules the coverage matrix needs: taints vs tolerations, node
 * selectors and required node affinity.
 */

/** Tolerations the DaemonSet controller adds to every DaemonSet pod. */
export const DAEMONSET_DEFAULT_TOLERATIONS: Toleration[] = [
  {
    key: 'node.kubernetes.io/not-ready',
    operator: 'Exists',
    effect: 'NoExecute',
  },
  {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
  },
  {
    key: 'node.kubernetes.io/disk-pressure',
    operator: 'Exists',
    effect: 'NoSchedule',
  },
  {
    key: 'node.kubernetes.io/memory-pressure',
    operator: 'Exists',
    effect: 'NoSchedule',
  },
  {
    key: 'node.kubernetes.io/pid-pressure',
    operator: 'Exists',
    effect: 'NoSchedule',
  },
  {
    key: 'node.kubernetes.io/unschedulable',
    operator: 'Exists',
    effect: 'NoSchedule',
  },
];

export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') {
    return !toleration.key || toleration.key === taint.key;
  }
  return (
    toleration.key === taint.key &&
    (toleration.value ?? '') === (taint.value ?? '')
  );
}

/** The first NoSchedule/NoExecute taint of the node that no toleration covers. */
export function untoleratedTaint(
  node: CachedNode,
  tolerations: Toleration[],
): Taint | undefined {
  return node.taints.find(
    taint =>
      taint.effect !== 'PreferNoSchedule' &&
      !tolerations.some(t => tolerates(t, taint)),
  );
}

function termMatches(
  term: NodeSelectorTerm,
  labels: Record<string, string>,
): boolean {
  return term.every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      case 'Gt':
        return value !== undefined && Number(value) > Number(values[0]);
      case 'Lt':
        return value !== undefined && Number(value) < Number(values[0]);
      default:
        return false;
    }
  });
}

/** Why the node's labels rule it out for the pod template, or undefined when they don't. */
export function selectorMismatch(
  node: CachedNode,
  placement: PodPlacement,
): string | undefined {
  for (const [key, value] of Object.entries(placement.nodeSelector)) {
    if (node.labels[key] !== value) return `nodeSelector ${key}=${value}`;
  }
  if (
    placement.affinityTerms.length > 0 &&
    !placement.affinityTerms.some(term => termMatches(term, node.labels))
  ) {
    return 'required node affinity';
  }
  return undefined;
}

export const formatTaint = (t: Taint) =>
  `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`;
