import { renderInTestApp } from '@backstage/frontend-test-utils';
import { FleetView } from '@internal/plugin-gpu-inference-common';
import { fireEvent, screen } from '@testing-library/react';
import { GpuInferenceApi, gpuInferenceApiRef } from '../api';
import { rootRouteRef } from '../routes';
import { GpuInferencePage } from './GpuInferencePage';

const gpu = {
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

function fleet(overrides: Partial<FleetView> = {}): FleetView {
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

const render = (value: FleetView) => {
  const api: GpuInferenceApi = {
    getFleet: jest.fn(async () => value),
    getModelServer: jest.fn(),
  };
  return renderInTestApp(<GpuInferencePage />, {
    apis: [[gpuInferenceApiRef, api]],
    mountedRoutes: { '/gpu-inference': rootRouteRef },
  });
};

describe('GpuInferencePage', () => {
  it('shows capacity, the pending pod, and the idle GPU with its owner', async () => {
    await render(fleet());
    expect(
      await screen.findByText('none: no GPU free on any node'),
    ).toBeInTheDocument();
    expect(screen.getByText(/waits for 4 GPUs/)).toBeInTheDocument();
    expect(screen.getByText(/0\.49 GPU-hours wasted/)).toBeInTheDocument();
    expect(
      screen.getByText(/owner group:default\/ml-engineering/),
    ).toBeInTheDocument();
  });

  it('answers whether a pod asking for N GPUs could be scheduled now', async () => {
    await render(fleet());
    const input = await screen.findByLabelText('A new pod asking for N GPUs');
    expect(
      screen.getByText(
        /eks \/ gpu-a10g \(NVIDIA-A10G\) on 2 nodes, room for 7 such pods/,
      ),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '4' } });
    expect(
      screen.getByText(/on 1 node, room for 1 such pod\b/),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '5' } });
    expect(
      screen.getByText(/No: no node has 5 GPUs free now \(largest fit 4\)/),
    ).toBeInTheDocument();
    fireEvent.change(input, { target: { value: '0' } });
    expect(
      screen.getByText(/Enter a whole number of GPUs/),
    ).toBeInTheDocument();
  });

  it('keeps capacity when Prometheus is unreachable, and names the key per panel, not the URL', async () => {
    await render(
      fleet({
        prometheus: {
          status: 'unreachable',
          message:
            'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
        },
        gpus: [],
        waste: [],
      }),
    );
    expect(
      await screen.findByText('none: no GPU free on any node'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        'Prometheus at gpuInference.prometheus.baseUrl is unreachable',
      ),
    ).toHaveLength(2);
    expect(document.body.textContent).not.toMatch(/https?:\/\//);
  });

  it('shows the last figures of a cluster that stopped answering, marked stale, naming it', async () => {
    const message =
      'Cluster eks is not answering (nodes: stale, pods: stale): these are its last figures, as of 2026-12-01T22:00:00.000Z; check cluster eks under kubernetes.clusterLocatorMethods (the backend log has the cause)';
    await render(
      fleet({
        clusters: [
          {
            cluster: 'eks',
            status: 'stale',
            asOf: '2026-12-01T22:00:00Z',
            message,
          },
        ],
      }),
    );
    expect(await screen.findByText(message)).toBeInTheDocument();
    // Its rows stay, each marked.
    expect(screen.getByText('NVIDIA-A10G')).toBeInTheDocument();
    expect(screen.getAllByText('stale: the last figures read')).toHaveLength(2);
    // Whether a pod fits now is not answered from stale figures.
    expect(
      screen.queryByLabelText('A new pod asking for N GPUs'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/No node with nvidia.com\/gpu/)).toBeNull();
  });

  it('names a cluster that cannot be read instead of saying it has no GPU node', async () => {
    const message =
      'Cluster eks-b cannot be read (nodes: error, pods: error): no GPU figures; check cluster eks-b under kubernetes.clusterLocatorMethods (the backend log has the cause)';
    await render(
      fleet({
        clusters: [
          { cluster: 'eks-a', status: 'ok' },
          { cluster: 'eks-b', status: 'unavailable', message },
        ],
        capacity: [],
        pending: [],
      }),
    );
    expect(await screen.findByText(message)).toBeInTheDocument();
    // Only the cluster that answered is said to have no GPU node.
    expect(
      screen.getByText('No node with nvidia.com/gpu in eks-a.'),
    ).toBeInTheDocument();
  });

  it('says so when no cluster is configured', async () => {
    await render(fleet({ clusters: [], capacity: [], pending: [] }));
    expect(
      await screen.findByText(
        'No cluster is configured: add one under kubernetes.clusterLocatorMethods.',
      ),
    ).toBeInTheDocument();
  });
});
