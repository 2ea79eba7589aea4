import {
  KUBERNETES_ID_LABEL,
  WATCHED_RESOURCES,
} from '@internal/plugin-cluster-health-common';
import {
  clusterView,
  failingPod,
  node,
  ownedBy,
  pod,
  warningEvent,
  workload,
} from './__testUtils__/cluster';
import { recentWarningEvents } from './events';
import { clusterProblems } from './problems';
import { clusterStatus, clusterSummary } from './summary';

describe('clusterSummary', () => {
  it('counts a failing pod once, not also its same-named twin in another namespace', () => {
    const cluster = clusterView({
      nodes: [node('n1')],
      pods: [
        failingPod('worker-0', 'CrashLoopBackOff', {
          namespace: 'staging',
          nodeName: 'n1',
        }),
        pod('worker-0', { namespace: 'production', nodeName: 'n1' }),
      ],
    });
    const problems = clusterProblems(cluster, new Map());
    expect(problems.map(p => p.id)).toEqual([
      'test-cluster/CrashLoopBackOff/staging/worker-0',
    ]);
    expect(clusterSummary(cluster, problems).pods).toEqual({
      total: 2,
      running: 2,
      pending: 0,
      failing: 1,
    });
  });

  it("does not count another cluster's failing pod of the same namespace and name", () => {
    const other = clusterView(
      {
        pods: [
          failingPod('worker-0', 'CrashLoopBackOff', {
            namespace: 'jobs',
            nodeName: 'x',
          }),
        ],
        nodes: [node('x')],
      },
      { name: 'other' },
    );
    const cluster = clusterView({
      nodes: [node('n1')],
      pods: [pod('worker-0', { namespace: 'jobs', nodeName: 'n1' })],
    });
    const problems = [
      ...clusterProblems(other, new Map()),
      ...clusterProblems(cluster, new Map()),
    ];
    expect(problems).toHaveLength(1);
    expect(clusterSummary(cluster, problems).pods.failing).toBe(0);
  });
});

describe('recentWarningEvents', () => {
  const deployment = workload('Deployment', 'webapp', {
    namespace: 'data',
    labels: { [KUBERNETES_ID_LABEL]: 'webapp' },
  });
  const healthy = pod('webapp-1', {
    namespace: 'data',
    nodeName: 'n1',
    labels: { [KUBERNETES_ID_LABEL]: 'webapp' },
    owners: ownedBy({ ...deployment, kind: 'Deployment' }),
  });
  const cluster = clusterView({
    nodes: [node('n1')],
    deployments: [deployment],
    pods: [healthy],
    events: [
      warningEvent(
        { kind: 'Pod', name: 'webapp-1', namespace: 'data' },
        {
          reason: 'Unhealthy',
          message: 'Readiness probe failed: HTTP 503',
          count: 4,
          lastSeen: '2026-12-01T10:05:00Z',
        },
      ),
      warningEvent(
        { kind: 'Node', name: 'n1' },
        {
          reason: 'FreeDiskSpaceFailed',
          message: 'failed to free 2 GiB',
          lastSeen: '2026-12-01T10:07:00Z',
        },
      ),
      warningEvent(
        { kind: 'Pod', name: 'gone-1', namespace: 'ml' },
        { reason: 'FailedMount', lastSeen: '2026-12-01T09:00:00Z' },
      ),
    ],
  });
  const entities = new Map([
    [
      'webapp',
      [
        {
          entityRef: 'component:default/webapp',
          ownerRef: 'group:default/web-team',
          namespace: 'data',
        },
      ],
    ],
  ]);

  it('lists warning events that belong to no problem, newest first, linked to their entity', () => {
    // The pod is healthy by the problem rules: its events show nowhere else.
    expect(clusterProblems(cluster, entities)).toEqual([]);
    expect(recentWarningEvents(cluster, entities)).toEqual([
      {
        cluster: 'test-cluster',
        namespace: undefined,
        object: { kind: 'Node', name: 'n1' },
        reason: 'FreeDiskSpaceFailed',
        message: 'failed to free 2 GiB',
        count: 1,
        lastSeen: '2026-12-01T10:07:00Z',
        entityRef: undefined,
        ownerRef: undefined,
      },
      {
        cluster: 'test-cluster',
        namespace: 'data',
        object: { kind: 'Pod', name: 'webapp-1' },
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP 503',
        count: 4,
        lastSeen: '2026-12-01T10:05:00Z',
        entityRef: 'component:default/webapp',
        ownerRef: 'group:default/web-team',
      },
      expect.objectContaining({
        namespace: 'ml',
        object: { kind: 'Pod', name: 'gone-1' },
        reason: 'FailedMount',
        entityRef: undefined,
      }),
    ]);
  });

  it('filters by namespace and keeps to the limit', () => {
    expect(
      recentWarningEvents(cluster, entities, { namespace: 'data' }).map(
        e => e.reason,
      ),
    ).toEqual(['Unhealthy']);
    expect(
      recentWarningEvents(cluster, entities, { limit: 1 }).map(e => e.reason),
    ).toEqual(['FreeDiskSpaceFailed']);
  });
});

describe('clusterStatus', () => {
  it('names the config key of an unreachable cluster, and no auth provider it may not use', () => {
    const cluster = clusterView(
      {},
      {
        configKey: 'kubernetes.clusterLocatorMethods[0].clusters[2]',
        freshness: WATCHED_RESOURCES.map(resource => ({
          resource,
          state: 'error' as const,
          count: 0,
          error: 'cannot reach the API server: ECONNREFUSED',
        })),
      },
    );
    expect(clusterStatus(cluster)).toEqual({
      status: 'down',
      message:
        'cannot reach the API server: ECONNREFUSED; check url and caData/caFile at kubernetes.clusterLocatorMethods[0].clusters[2]',
    });
  });
});
