import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-cluster-health-common';
import { screen } from '@testing-library/react';
import { clusterHealthApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { crashLoop, fakeApi } from '../../testing/fixtures';
import { WorkloadHealthCard } from './WorkloadHealthCard';

describe('WorkloadHealthCard', () => {
  it("shows a component's stalled rollout with the pod's reason and its problems", async () => {
    const api = fakeApi({
      getEntityWorkloads: jest.fn(async () => ({
        entityRef: 'component:default/webapp-consumer',
        kubernetesId: 'webapp-consumer',
        namespace: 'data',
        clusters: [
          {
            cluster: 'eks-data-platform',
            status: 'ok' as const,
            workloads: [
              {
                kind: 'Deployment' as const,
                namespace: 'data',
                name: 'webapp-consumer',
                desired: 2,
                ready: 2,
                updated: 1,
                rollout: 'stalled' as const,
                message:
                  'ReplicaSet "webapp-consumer-6bcd" has timed out progressing.',
                restarts: 0,
                images: ['ghcr.io/ml-platform/webapp-consumer:1.9.0-rc1'],
                pods: [
                  {
                    name: 'webapp-consumer-6bcd-x',
                    phase: 'Pending',
                    ready: false,
                    restarts: 0,
                    reason: 'ImagePullBackOff',
                  },
                ],
              },
            ],
            problems: [
              {
                ...crashLoop,
                kind: 'ImagePullBackOff' as const,
                object: { kind: 'Pod', name: 'webapp-consumer-6bcd-x' },
                message: 'Back-off pulling image',
              },
            ],
          },
        ],
      })),
    });
    await renderInTestApp(
      <EntityProvider
        entity={{
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'webapp-consumer',
            annotations: { [KUBERNETES_ID_ANNOTATION]: 'webapp-consumer' },
          },
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: 'data-engineering',
          },
        }}
      >
        <WorkloadHealthCard />
      </EntityProvider>,
      {
        apis: [[clusterHealthApiRef, api]],
        mountedRoutes: { '/cluster-health': rootRouteRef },
      },
    );
    expect(await screen.findByText('stalled')).toBeInTheDocument();
    expect(
      screen.getByText(/webapp-consumer-6bcd-x: ImagePullBackOff/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /ImagePullBackOff: webapp-consumer-6bcd-x — Back-off pulling image/,
      ),
    ).toBeInTheDocument();
    expect(api.getEntityWorkloads).toHaveBeenCalledWith(
      'component:default/webapp-consumer',
    );
  });
});
