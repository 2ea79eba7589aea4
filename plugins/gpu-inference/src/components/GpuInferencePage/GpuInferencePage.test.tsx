import { renderInTestApp } from '@backstage/frontend-test-utils';
import { FleetView } from '@internal/plugin-gpu-inference-common';
import { screen } from '@testing-library/react';
import { GpuInferenceApi, gpuInferenceApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { fleet } from '../../testing/fixtures';
import { GpuInferencePage } from './GpuInferencePage';

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
