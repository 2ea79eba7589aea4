import { gpuFit } from './fit';
import type { GpuCapacity } from './types';

const group = (freePerNode: number[]): GpuCapacity => ({
  cluster: 'platform',
  nodeGroup: 'gpu',
  gpuModel: 'NVIDIA-A100-SXM4-40GB',
  nodes: freePerNode.length,
  allocatable: 8 * freePerNode.length,
  allocated: 0,
  free: freePerNode.reduce((a, b) => a + b, 0),
  largestFit: Math.max(0, ...freePerNode),
  freePerNode,
});

describe('gpuFit', () => {
  it('fits a pod on a node with enough free GPUs, and counts how many such pods fit', () => {
    expect(gpuFit(group([8, 3, 2]), 2)).toEqual({
      fits: true,
      nodes: 3,
      pods: 6,
    });
    expect(gpuFit(group([8, 3, 2]), 4)).toEqual({
      fits: true,
      nodes: 1,
      pods: 2,
    });
  });

  it('does not add up GPUs across nodes: a pod lives on one node', () => {
    expect(gpuFit(group([3, 3]), 4)).toEqual({
      fits: false,
      nodes: 0,
      pods: 0,
    });
  });

  it('says no for a full group or a request of zero', () => {
    expect(gpuFit(group([]), 1).fits).toBe(false);
    expect(gpuFit(group([8]), 0)).toEqual({ fits: false, nodes: 0, pods: 0 });
  });
});
