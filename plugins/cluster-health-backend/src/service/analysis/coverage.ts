import {
  CoverageGap,
  DaemonSetCoverage,
} from '@internal/plugin-cluster-health-common';
import type {
  CachedNode,
  CachedPod,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import { nodeGroupOf } from './nodeGroups';
import {
  DAEMONSET_DEFAULT_TOLERATIONS,
  formatTaint,
  selectorMismatch,
  untoleratedTaint,
} from './placement';

function podGap(pod: CachedPod): Pick<CoverageGap, 'reason' | 'detail'> {
  const container = pod.containers.find(c => !c.ready);
  const why = container?.waitingReason ?? container?.terminatedReason;
  if (pod.phase === 'Pending') {
    return {
      reason: 'pod-pending',
      detail: `pod ${pod.name} Pending${why ? ` (${why})` : ''}`,
    };
  }
  return {
    reason: 'pod-failing',
    detail: `pod ${pod.name} ${why ?? pod.phase}${
      container?.restartCount ? `, ${container.restartCount} restarts` : ''
    }`,
  };
}

/**
 * Taints the node controller puts on a NotReady node. They say what state the node is in,
 * not where the DaemonSet may run: a NotReady node is reported as such, not as a taint.
 */
const NODE_STATE_TAINTS = new Set([
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
]);

const notReadyWords = (node: CachedNode) =>
  [node.readyReason ?? 'no Ready condition', node.readyMessage]
    .filter(Boolean)
    .join(': ');

/**
 * For each DaemonSet: pods desired and ready per node group, and every node that should run
 * one and does not, with the reason. A node the DaemonSet's selector leaves out on purpose is
 * not a gap — unless the selector leaves out only part of a node group the DaemonSet otherwise
 * covers, which is how a mislabelled node shows.
 */
export function daemonSetCoverage(
  cluster: ClusterView,
  nodeGroupLabels: string[],
): DaemonSetCoverage[] {
  const nodes = cluster.list('nodes');
  const groupOf = new Map(
    nodes.map(n => [n.name, nodeGroupOf(n.labels, nodeGroupLabels).name]),
  );
  const podsByOwner = new Map<string, CachedPod[]>();
  for (const pod of cluster.list('pods')) {
    for (const owner of pod.owners) {
      if (owner.kind !== 'DaemonSet') continue;
      podsByOwner.set(owner.uid, [...(podsByOwner.get(owner.uid) ?? []), pod]);
    }
  }

  return cluster
    .list('daemonsets')
    .map(ds => {
      // One pod per node; during a rollout a node can hold two (old and new): a ready one wins.
      const pods = new Map<string, CachedPod>();
      for (const p of podsByOwner.get(ds.uid) ?? []) {
        if (!p.nodeName) continue;
        const held = pods.get(p.nodeName);
        if (!held || (p.ready && !held.ready)) pods.set(p.nodeName, p);
      }
      const tolerations = [...ds.tolerations, ...DAEMONSET_DEFAULT_TOLERATIONS];
      const byNodeGroup: DaemonSetCoverage['byNodeGroup'] = {};
      const gaps: CoverageGap[] = [];
      const excludedBySelector: {
        node: string;
        group: string;
        detail: string;
      }[] = [];
      const targetedGroups = new Set<string>();

      for (const node of nodes) {
        const group = groupOf.get(node.name)!;
        const cell = (byNodeGroup[group] ??= {
          nodes: 0,
          desired: 0,
          ready: 0,
        });
        cell.nodes++;
        const mismatch = selectorMismatch(node, ds);
        if (mismatch) {
          excludedBySelector.push({
            node: node.name,
            group,
            detail: `${mismatch} does not match the node's labels`,
          });
          continue;
        }
        targetedGroups.add(group);
        // The pod first: a node that runs a ready pod is covered, whatever its taints say.
        const pod = pods.get(node.name);
        if (pod?.ready) {
          cell.desired++;
          cell.ready++;
          continue;
        }
        const taint = pod
          ? undefined
          : untoleratedTaint(
              {
                ...node,
                taints: node.taints.filter(t => !NODE_STATE_TAINTS.has(t.key)),
              },
              tolerations,
            );
        if (taint) {
          gaps.push({
            node: node.name,
            nodeGroup: group,
            reason: 'taint-not-tolerated',
            detail: `does not tolerate the taint ${formatTaint(taint)}`,
          });
          continue;
        }
        cell.desired++;
        if (!node.ready) {
          gaps.push({
            node: node.name,
            nodeGroup: group,
            reason: 'node-not-ready',
            detail: `the node is NotReady (${notReadyWords(node)}); ${
              pod ? podGap(pod).detail : 'no pod on it'
            }`,
          });
        } else if (!pod) {
          gaps.push({
            node: node.name,
            nodeGroup: group,
            reason: 'not-scheduled',
            detail: 'no pod on the node',
          });
        } else {
          gaps.push({ node: node.name, nodeGroup: group, ...podGap(pod) });
        }
      }
      for (const excluded of excludedBySelector) {
        if (targetedGroups.has(excluded.group)) {
          gaps.push({
            node: excluded.node,
            nodeGroup: excluded.group,
            reason: 'node-selector',
            detail: excluded.detail,
          });
        }
      }
      gaps.sort(
        (a, b) =>
          a.nodeGroup.localeCompare(b.nodeGroup) ||
          a.node.localeCompare(b.node),
      );
      return {
        namespace: ds.namespace,
        name: ds.name,
        desired: ds.desired,
        ready: ds.ready,
        byNodeGroup,
        gaps,
      };
    })
    .sort(
      (a, b) =>
        a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
    );
}
