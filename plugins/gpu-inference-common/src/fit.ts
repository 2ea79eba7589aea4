import type { GpuCapacity } from './types';

/**
 * Whether a new pod asking for `gpus` GPUs could be scheduled in this group now (GPUs only:
 * CPU, memory and taints are the scheduler's to judge), and how many such pods would fit.
 */
export function gpuFit(group: GpuCapacity, gpus: number) {
  if (!(gpus > 0)) return { fits: false, nodes: 0, pods: 0 };
  const nodes = group.freePerNode.filter(free => free >= gpus).length;
  const pods = group.freePerNode.reduce(
    (sum, free) => sum + Math.floor(free / gpus),
    0,
  );
  return { fits: nodes > 0, nodes, pods };
}
