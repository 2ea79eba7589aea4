import {
  NodeGroupSummary,
  NodeSummary,
  Resources,
} from '@internal/plugin-cluster-health-common';
import {
  addResources,
  ClusterView,
  NO_RESOURCES,
  nodeGroupOf,
} from '@internal/plugin-cluster-health-node';

/** The node group a node belongs to (see the cluster cache's nodeGroupOf). */
export { nodeGroupOf };

const minus = (a: Resources, b: Resources): Resources => ({
  cpuMillis: a.cpuMillis - b.cpuMillis,
  memoryBytes: a.memoryBytes - b.memoryBytes,
  gpus: a.gpus - b.gpus,
});

/** Pods that hold resources on their node: bound, not finished. */
export const holdsResources = (pod: { phase: string; nodeName?: string }) =>
  Boolean(pod.nodeName) && pod.phase !== 'Succeeded' && pod.phase !== 'Failed';

export function nodeGroups(
  cluster: ClusterView,
  labels: string[],
): NodeGroupSummary[] {
  const requested = new Map<string, Resources>();
  const podCount = new Map<string, number>();
  for (const pod of cluster.list('pods')) {
    if (!holdsResources(pod)) continue;
    const node = pod.nodeName!;
    requested.set(
      node,
      addResources(requested.get(node) ?? NO_RESOURCES, pod.requests),
    );
    podCount.set(node, (podCount.get(node) ?? 0) + 1);
  }

  const groups = new Map<string, { label: string; nodes: NodeSummary[] }>();
  for (const node of cluster.list('nodes')) {
    const group = nodeGroupOf(node.labels, labels);
    const summary: NodeSummary = {
      name: node.name,
      ready: node.ready,
      notReadyReason: node.ready
        ? undefined
        : [node.readyReason ?? 'no Ready condition', node.readyMessage]
            .filter(Boolean)
            .join(': '),
      unschedulable: node.unschedulable,
      instanceType: node.labels['node.kubernetes.io/instance-type'],
      zone: node.labels['topology.kubernetes.io/zone'],
      gpuModel: node.labels['nvidia.com/gpu.product'],
      allocatable: node.allocatable,
      requested: requested.get(node.name) ?? NO_RESOURCES,
      pods: podCount.get(node.name) ?? 0,
      taints: node.taints,
    };
    const entry = groups.get(group.name) ?? { label: group.label, nodes: [] };
    entry.nodes.push(summary);
    groups.set(group.name, entry);
  }

  return [...groups.entries()]
    .map(([name, { label, nodes }]) => {
      nodes.sort((a, b) => a.name.localeCompare(b.name));
      const usable = nodes.filter(n => n.ready && !n.unschedulable);
      const allocatable = usable.reduce(
        (t, n) => addResources(t, n.allocatable),
        NO_RESOURCES,
      );
      const groupRequested = nodes.reduce(
        (t, n) => addResources(t, n.requested),
        NO_RESOURCES,
      );
      // N−1: the usable node with the most CPU (then memory, GPUs) is the one to lose.
      const largest = [...usable].sort(
        (a, b) =>
          b.allocatable.cpuMillis - a.allocatable.cpuMillis ||
          b.allocatable.memoryBytes - a.allocatable.memoryBytes ||
          b.allocatable.gpus - a.allocatable.gpus,
      )[0];
      return {
        name,
        label,
        nodes,
        ready: nodes.filter(n => n.ready).length,
        notReady: nodes.filter(n => !n.ready).length,
        instanceTypes: [
          ...new Set(nodes.map(n => n.instanceType).filter(Boolean)),
        ].sort() as string[],
        zones: [
          ...new Set(nodes.map(n => n.zone).filter(Boolean)),
        ].sort() as string[],
        allocatable,
        requested: groupRequested,
        headroomNMinus1: minus(
          minus(allocatable, largest?.allocatable ?? NO_RESOURCES),
          groupRequested,
        ),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
