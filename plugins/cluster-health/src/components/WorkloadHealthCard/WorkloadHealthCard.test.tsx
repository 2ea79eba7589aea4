import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { KUBERNETES_ID_ANNOTATION } from '@internal/plugin-cluster-health-common';
import { screen, within } from '@testing-library/react';
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

  const entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'llm-chat-server',
      annotations: { [KUBERNETES_ID_ANNOTATION]: 'llm-chat-server' },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'ml-platform' },
  };
  const workloads = async () => ({
    entityRef: 'component:default/llm-chat-server',
    kubernetesId: 'llm-chat-server',
    clusters: [
      {
        cluster: 'eks-data-platform',
        status: 'ok' as const,
        workloads: [
          {
            kind: 'Deployment' as const,
            namespace: 'ml',
            name: 'llm-chat-server',
            desired: 2,
            ready: 2,
            updated: 2,
            rollout: 'complete' as const,
            restarts: 0,
            images: [],
            pods: [],
            logsUrl:
              'https://logs.example.com/?ns=ml&deployment=llm-chat-server',
          },
        ],
        problems: [],
      },
    ],
  });
  const alert = (over: object) => ({
    fingerprint: 'f1',
    name: 'ModelServerQueueBacklog',
    severity: 'warning',
    state: 'firing' as const,
    summary: '9 requests wait for the model llama-3.1-8b-instruct',
    labels: {},
    startsAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    silencedBy: [],
    alertmanagerUrl: 'http://am.example.com/#/alerts?filter=x',
    generatorUrl: 'http://prometheus.example.com/graph?g0.expr=y',
    matchedBy: 'Deployment ml/llm-chat-server',
    ...over,
  });
  const renderCard = (api: ReturnType<typeof fakeApi>) =>
    renderInTestApp(
      <EntityProvider entity={entity}>
        <WorkloadHealthCard />
      </EntityProvider>,
      {
        apis: [[clusterHealthApiRef, api]],
        mountedRoutes: { '/cluster-health': rootRouteRef },
      },
    );

  it("shows the workloads' firing and silenced alerts with their links, and each workload's logs link", async () => {
    const api = fakeApi({
      getEntityWorkloads: jest.fn(workloads),
      getEntityAlerts: jest.fn(async () => ({
        entityRef: 'component:default/llm-chat-server',
        clusters: [
          {
            cluster: 'eks-data-platform',
            status: 'ok' as const,
            alertmanagerUrl: 'http://am.example.com',
            alerts: [
              alert({}),
              alert({
                fingerprint: 'f2',
                name: 'GpuXidError',
                severity: 'critical',
                state: 'silenced' as const,
                summary: 'GPU 7 of ip-10-0-5-10 reports XID 79',
                silencedBy: ['s-1'],
                matchedBy:
                  'pod llm-chat-server-1 of Deployment ml/llm-chat-server',
              }),
            ],
          },
        ],
      })),
    });
    await renderCard(api);
    const table = await screen.findByRole('table', {
      name: 'alerts of eks-data-platform',
    });
    const [firing, silenced] = within(table)
      .getAllByRole('row')
      .slice(1)
      .map(r => within(r));
    expect(firing.getByText('firing')).toBeInTheDocument();
    expect(firing.getByText('ModelServerQueueBacklog')).toBeInTheDocument();
    expect(firing.getByText(/9 requests wait/)).toBeInTheDocument();
    expect(firing.getByText('5 min')).toBeInTheDocument();
    expect(firing.getByRole('link', { name: /^Alertmanager/ })).toHaveAttribute(
      'href',
      'http://am.example.com/#/alerts?filter=x',
    );
    expect(firing.getByRole('link', { name: /^Rule/ })).toHaveAttribute(
      'href',
      'http://prometheus.example.com/graph?g0.expr=y',
    );
    expect(silenced.getByText('silenced')).toBeInTheDocument();
    expect(silenced.getByText('GpuXidError')).toBeInTheDocument();
    expect(silenced.getByText(/pod llm-chat-server-1 of/)).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^Logs/ })).toHaveAttribute(
      'href',
      'https://logs.example.com/?ns=ml&deployment=llm-chat-server',
    );
  });

  it('says the Alertmanager did not answer, naming the key, and keeps the workloads', async () => {
    const message =
      'The Alertmanager of cluster eks-data-platform did not answer (fetch failed: ECONNREFUSED); check clusterHealth.alertmanagers[0].url';
    await renderCard(
      fakeApi({
        getEntityWorkloads: jest.fn(workloads),
        getEntityAlerts: jest.fn(async () => ({
          entityRef: 'component:default/llm-chat-server',
          clusters: [
            {
              cluster: 'eks-data-platform',
              status: 'unreachable' as const,
              message,
              alerts: [],
            },
          ],
        })),
      }),
    );
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(
      screen.getByText('Deployment ml/llm-chat-server'),
    ).toBeInTheDocument();
    expect(screen.getByText('2/2 ready')).toBeInTheDocument();
  });

  it('says when no alert fires for the entity', async () => {
    await renderCard(fakeApi({ getEntityWorkloads: jest.fn(workloads) }));
    expect(
      await screen.findByText(/No alert is firing or silenced/),
    ).toBeInTheDocument();
  });
});
