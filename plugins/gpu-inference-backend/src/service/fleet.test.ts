import { KUBERNETES_ID_LABEL } from '@internal/plugin-cluster-health-common';
import { DEFAULT_NODE_GROUP_LABELS } from '@internal/plugin-cluster-health-node';
import type { EntityIndex } from '@internal/plugin-cluster-health-node';
import { capacity, clusterStatus, fleetView, gpuUse } from './fleet';
import { PrometheusApi, Sample } from './prometheus';
import {
  cluster,
  gpuNode,
  ownedBy,
  pendingPod,
  pod,
  workload,
} from './__testUtils__/cluster';

const link = (name: string, namespace?: string) => ({
  entityRef: `component:default/${name}${namespace ? `-${namespace}` : ''}`,
  ownerRef: 'group:default/ml-engineering',
  namespace,
});

describe('capacity', () => {
  it('groups GPU nodes by the configured node-group labels, in order', () => {
    const c = cluster('eks', {
      nodes: [
        gpuNode('a', 8, { 'platform.example/pool': 'a100' }),
        gpuNode('b', 1, {
          'platform.example/pool': 'a10g',
          'eks.amazonaws.com/nodegroup': 'gpu',
        }),
        gpuNode('c', 1, { 'eks.amazonaws.com/nodegroup': 'gpu' }),
      ],
    });
    const groups = capacity(c, {
      links: new Map(),
      nodeGroupLabels: ['platform.example/pool', 'eks.amazonaws.com/nodegroup'],
    }).capacity.map(g => [g.nodeGroup, g.nodes]);
    expect(groups).toEqual([
      ['a100', 1],
      ['a10g', 1],
      ['gpu', 1],
    ]);
    // The defaults do not know platform.example/pool.
    expect(
      capacity(c, {
        links: new Map(),
        nodeGroupLabels: DEFAULT_NODE_GROUP_LABELS,
      }).capacity.map(g => [g.nodeGroup, g.nodes]),
    ).toEqual([
      ['(no node group)', 1],
      ['gpu', 2],
    ]);
  });

  it("links a pending pod to its entity through its owners' labels", () => {
    const deployment = workload('Deployment', 'ml', 'llm-chat-server', {
      labels: { [KUBERNETES_ID_LABEL]: 'llm-chat-server' },
    });
    const replicaSet = workload('ReplicaSet', 'ml', 'llm-chat-server-7d9', {
      owners: ownedBy(deployment),
    });
    const c = cluster('eks', {
      nodes: [gpuNode('a', 1)],
      deployments: [deployment],
      replicasets: [replicaSet],
      pods: [
        // No kubernetes-id on the pod itself: only its Deployment carries it.
        pendingPod('ml', 'llm-chat-server-7d9-x', 4, {
          owners: ownedBy(replicaSet),
        }),
      ],
    });
    const index: EntityIndex = new Map([
      ['llm-chat-server', [link('llm-chat-server')]],
    ]);
    expect(capacity(c, { links: index, nodeGroupLabels: [] }).pending).toEqual([
      expect.objectContaining({
        pod: 'llm-chat-server-7d9-x',
        gpus: 4,
        entityRef: 'component:default/llm-chat-server',
      }),
    ]);
  });

  it('keeps every entity of a shared kubernetes-id and honours backstage.io/kubernetes-namespace', () => {
    const labels = { [KUBERNETES_ID_LABEL]: 'llm' };
    const c = cluster('eks', {
      nodes: [gpuNode('a', 1)],
      pods: [
        pendingPod('ml', 'llm-prod', 4, { labels }),
        pendingPod('ml-staging', 'llm-staging', 4, { labels }),
        pendingPod('sandbox', 'llm-other', 4, { labels }),
      ],
    });
    const pinned: EntityIndex = new Map([
      ['llm', [link('llm', 'ml'), link('llm', 'ml-staging')]],
    ]);
    const refs = (index: EntityIndex) =>
      Object.fromEntries(
        capacity(c, { links: index, nodeGroupLabels: [] }).pending.map(p => [
          p.pod,
          p.entityRef,
        ]),
      );
    expect(refs(pinned)).toEqual({
      'llm-prod': 'component:default/llm-ml',
      'llm-staging': 'component:default/llm-ml-staging',
      // Both entities are pinned to other namespaces: not theirs.
      'llm-other': undefined,
    });
    // An entity without a namespace takes the pods no pinned entity claims.
    pinned.get('llm')!.push(link('llm'));
    expect(refs(pinned)['llm-other']).toBe('component:default/llm');
    expect(refs(pinned)['llm-prod']).toBe('component:default/llm-ml');
  });
});

describe('clusterStatus', () => {
  it('is ok when nodes and pods are current', () => {
    expect(clusterStatus(cluster('eks', {}))).toEqual({
      cluster: 'eks',
      status: 'ok',
    });
  });

  it('is starting while the first listing runs', () => {
    const c = cluster(
      'eks',
      {},
      { nodes: { state: 'syncing', listedAt: undefined } },
    );
    expect(clusterStatus(c)).toMatchObject({
      status: 'starting',
      message: expect.stringContaining('Cluster eks'),
    });
  });

  it('keeps the last figures of a cluster that stopped answering, and says since when', () => {
    const c = cluster(
      'eks-down',
      { nodes: [gpuNode('a', 8, { 'eks.amazonaws.com/nodegroup': 'gpu' })] },
      {
        nodes: { state: 'stale', lastEventAt: '2026-12-01T22:05:00.000Z' },
        pods: { state: 'stale' },
      },
    );
    const status = clusterStatus(c);
    expect(status).toEqual({
      cluster: 'eks-down',
      status: 'stale',
      asOf: '2026-12-01T22:00:00.000Z',
      message:
        'Cluster eks-down is not answering (nodes: stale, pods: stale): these are its last figures, as of 2026-12-01T22:00:00.000Z; check cluster eks-down under kubernetes.clusterLocatorMethods (the backend log has the cause)',
    });
    expect(status.message).not.toContain('example:6443');
  });

  it('is unavailable, naming the cluster, when nothing could be read', () => {
    const c = cluster(
      'eks-gone',
      {},
      {
        nodes: { state: 'error', listedAt: undefined, error: 'ECONNREFUSED' },
        pods: { state: 'forbidden', listedAt: undefined },
      },
    );
    expect(clusterStatus(c)).toEqual({
      cluster: 'eks-gone',
      status: 'unavailable',
      message:
        "Cluster eks-gone cannot be read (nodes: error, pods: forbidden): no GPU figures; grant the portal's identity list and watch on nodes and pods in cluster eks-gone",
    });
  });
});

describe('fleetView', () => {
  it('reports every cluster, the unavailable one by name beside the figures of the others', async () => {
    const view = await fleetView({
      clusters: [
        cluster('eks-a', {
          nodes: [gpuNode('a', 8, { 'eks.amazonaws.com/nodegroup': 'gpu' })],
        }),
        cluster(
          'eks-b',
          {},
          {
            nodes: { state: 'error', listedAt: undefined },
            pods: { state: 'error', listedAt: undefined },
          },
        ),
      ],
      links: new Map(),
      nodeGroupLabels: DEFAULT_NODE_GROUP_LABELS,
      idleThresholdPercent: 10,
      idleWindow: '30m',
    });
    expect(view.clusters.map(c => [c.cluster, c.status])).toEqual([
      ['eks-a', 'ok'],
      ['eks-b', 'unavailable'],
    ]);
    expect(view.capacity.map(c => [c.cluster, c.allocatable])).toEqual([
      ['eks-a', 8],
    ]);
    expect(view.prometheus.status).toBe('not-configured');
  });
});

describe('gpuUse', () => {
  /** DCGM samples as Prometheus answers the fields query (the averages query: none). */
  const dcgm = (samples: Record<string, string>[]): PrometheusApi => ({
    query: async (promql: string) =>
      promql.includes('avg_over_time')
        ? []
        : samples.map(
            (metric): Sample => ({
              metric: { __name__: 'DCGM_FI_DEV_GPU_UTIL', ...metric },
              value: [0, metric.value ?? '50'],
            }),
          ),
    queryRange: async () => [],
  });
  const gpu = (
    Hostname: string,
    extra: Record<string, string> = {},
  ): Record<string, string> => ({
    Hostname,
    gpu: '0',
    UUID: `GPU-${Hostname}`,
    modelName: 'NVIDIA A10G',
    namespace: 'ml',
    pod: 'trainer-0',
    ...extra,
  });

  it('keeps the same namespace/pod in two clusters apart: two rows, each with its cluster and entity', async () => {
    const eks = cluster('eks', {
      nodes: [gpuNode('gpu-a', 1), gpuNode('shared-name', 1)],
      pods: [
        pod('ml', 'trainer-0', {
          nodeName: 'gpu-a',
          labels: { [KUBERNETES_ID_LABEL]: 'trainer' },
        }),
      ],
    });
    const helix = cluster('helix', {
      nodes: [gpuNode('gpu-b', 1), gpuNode('shared-name', 1)],
      pods: [
        pod('ml', 'trainer-0', {
          nodeName: 'gpu-b',
          labels: { [KUBERNETES_ID_LABEL]: 'helix-trainer' },
        }),
      ],
    });
    const links: EntityIndex = new Map([
      ['trainer', [link('trainer')]],
      ['helix-trainer', [link('helix-trainer')]],
    ]);
    const rows = await gpuUse(
      dcgm([
        gpu('gpu-a'),
        gpu('gpu-b', { value: '90' }),
        // A node name both clusters have: only the sample's cluster label tells.
        gpu('shared-name', { cluster: 'helix', pod: '', namespace: '' }),
        gpu('shared-name', { pod: '', namespace: '' }),
      ]),
      [eks, helix],
      links,
      '30m',
    );
    expect(
      rows.map(r => [
        r.cluster,
        r.node,
        `${r.namespace}/${r.pod}`,
        r.entityRef,
      ]),
    ).toEqual([
      // Sorted by cluster, the unknown one first.
      [undefined, 'shared-name', 'undefined/undefined', undefined],
      ['eks', 'gpu-a', 'ml/trainer-0', 'component:default/trainer'],
      ['helix', 'gpu-b', 'ml/trainer-0', 'component:default/helix-trainer'],
      ['helix', 'shared-name', 'undefined/undefined', undefined],
    ]);
    expect(rows[2].utilisation).toBe(90);
  });
});
