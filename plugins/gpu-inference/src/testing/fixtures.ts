import { FleetView, GpuUse } from '@internal/plugin-gpu-inference-common';

/** Test data for the package's tests. */
export const gpu: GpuUse = {
  node: 'ip-10-0-5-9',
  gpu: '4',
  uuid: 'GPU-1',
  modelName: 'NVIDIA A100-SXM4-40GB',
  utilisation: 1,
  utilisationAvg: 1,
  memoryUsedMiB: 17100,
  memoryTotalMiB: 40960,
  powerWatts: 58,
  temperatureC: 31,
  smClockMHz: 210,
  xidErrors: 0,
  pod: 'llm-chat-server-b',
  namespace: 'ml',
  entityRef: 'component:default/llm-chat-server',
  ownerRef: 'group:default/ml-engineering',
};

export function fleet(overrides: Partial<FleetView> = {}): FleetView {
  return {
    clusters: [{ cluster: 'eks', status: 'ok' }],
    capacity: [
      {
        cluster: 'eks',
        nodeGroup: 'gpu',
        gpuModel: 'NVIDIA-A100-SXM4-40GB',
        nodes: 1,
        allocatable: 8,
        allocated: 8,
        free: 0,
        largestFit: 0,
        freePerNode: [0],
      },
      {
        cluster: 'eks',
        nodeGroup: 'gpu-a10g',
        gpuModel: 'NVIDIA-A10G',
        nodes: 3,
        allocatable: 12,
        allocated: 5,
        free: 7,
        largestFit: 4,
        freePerNode: [4, 3, 0],
      },
    ],
    pending: [
      {
        cluster: 'eks',
        namespace: 'ml',
        pod: 'llm-chat-server-c',
        gpus: 4,
        message: '0/5 nodes are available: 2 Insufficient nvidia.com/gpu',
      },
    ],
    prometheus: { status: 'ok' },
    gpus: [gpu],
    waste: [{ ...gpu, gpuHoursWasted: 0.49 }],
    idleThresholdPercent: 10,
    idleWindow: '30m',
    queries: 2,
    ...overrides,
  };
}
