/*
 * The service over hand-built cache objects (two clusters, a cluster the portal does not
 * read) and a catalog that answers per asker; plugin.test.ts runs it against the sandbox.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  KUBERNETES_ID_ANNOTATION,
  KUBERNETES_ID_LABEL,
  KUBERNETES_NAMESPACE_ANNOTATION,
} from '@internal/plugin-cluster-health-common';
import {
  ClusterCache,
  ClusterView,
} from '@internal/plugin-cluster-health-node';
import {
  clusterView,
  failingPod,
  node,
  ownedBy,
  workload,
} from './analysis/__testUtils__/cluster';
import { DefaultClusterHealthService } from './DefaultClusterHealthService';

const MEMBER = 'user:default/alice';
const OUTSIDER = 'user:default/bob';

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const WEBAPP = component('webapp', 'web-team', {
  [KUBERNETES_ID_ANNOTATION]: 'webapp',
  [KUBERNETES_NAMESPACE_ANNOTATION]: 'data',
});
const OPERATOR = component('operator', 'platform-team', {
  [KUBERNETES_ID_ANNOTATION]: 'operator',
});

/** A crash-looping pod of a Deployment labelled with `id`. */
function crashingApp(id: string, namespace: string) {
  const deployment = workload('Deployment', `${id}-${namespace}`, {
    namespace,
    labels: { [KUBERNETES_ID_LABEL]: id },
  });
  const pod = failingPod(`${id}-${namespace}-0`, 'CrashLoopBackOff', {
    namespace,
    nodeName: 'n1',
    owners: ownedBy({ ...deployment, kind: 'Deployment' }),
  });
  return { deployment, pod };
}

function cacheOf(clusters: ClusterView[]): ClusterCache {
  return {
    clusters: () => clusters,
    cluster: name => clusters.find(c => c.name === name),
    unsupported: () => [
      {
        name: 'gke-prod',
        locator: 'config',
        authProvider: 'google',
        configKey:
          'kubernetes.clusterLocatorMethods[0].clusters[2].authProvider',
        reason: "cluster 'gke-prod': authProvider 'google' is not supported",
      },
    ],
    ready: async () => undefined,
  };
}

function service() {
  // webapp in its pinned namespace (data) on both clusters, and once outside it (staging);
  // operator (restricted) on the first.
  const a = [crashingApp('webapp', 'data'), crashingApp('webapp', 'staging')];
  const op = crashingApp('operator', 'operators');
  const b = crashingApp('webapp', 'data');
  const clusters = [
    clusterView(
      {
        nodes: [node('n1')],
        deployments: [...a.map(x => x.deployment), op.deployment],
        pods: [...a.map(x => x.pod), op.pod],
      },
      { name: 'eks-a' },
    ),
    clusterView(
      { nodes: [node('n1')], deployments: [b.deployment], pods: [b.pod] },
      { name: 'eks-b' },
    ),
  ];
  const asked: string[] = [];
  const catalog = catalogServiceMock.mock({
    getEntities: async (_request, options) => {
      const asker = principalOf(options);
      asked.push(asker);
      return { items: asker === MEMBER ? [WEBAPP, OPERATOR] : [WEBAPP] };
    },
    getEntityByRef: async (ref, options) => {
      const name = (ref as { name: string }).name;
      if (name === 'webapp') return WEBAPP;
      if (name === 'operator' && principalOf(options) === MEMBER)
        return OPERATOR;
      return undefined;
    },
  });
  return {
    asked,
    service: DefaultClusterHealthService.create({
      config: {
        nodeGroupLabels: ['eks.amazonaws.com/nodegroup'],
        alertmanagers: [],
      },
      cache: cacheOf(clusters),
      catalog,
      logger: mockServices.logger.mock(),
    }),
  };
}

function principalOf(options: unknown) {
  const { principal } = (options as { credentials: BackstageCredentials })
    .credentials as BackstageCredentials<{ userEntityRef?: string }>;
  return principal.userEntityRef ?? 'service';
}

describe('DefaultClusterHealthService', () => {
  it("assembles an entity's workloads and only its problems, per cluster, in its pinned namespace", async () => {
    const { service: s } = service();
    const view = await s.getEntity('component:default/webapp', {
      credentials: mockCredentials.user(OUTSIDER),
    });
    expect(view).toMatchObject({
      entityRef: 'component:default/webapp',
      kubernetesId: 'webapp',
      namespace: 'data',
    });
    expect(
      view.clusters.map(c => ({
        cluster: c.cluster,
        workloads: c.workloads.map(w => `${w.namespace}/${w.name}`),
        problems: c.problems.map(p => p.id),
      })),
    ).toEqual([
      {
        cluster: 'eks-a',
        workloads: ['data/webapp-data'],
        problems: ['eks-a/CrashLoopBackOff/data/webapp-data-0'],
      },
      {
        cluster: 'eks-b',
        workloads: ['data/webapp-data'],
        problems: ['eks-b/CrashLoopBackOff/data/webapp-data-0'],
      },
    ]);
  });

  it('reads the entity and its links with the asker credentials', async () => {
    const { service: s } = service();
    await expect(
      s.getEntity('component:default/operator', {
        credentials: mockCredentials.user(OUTSIDER),
      }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No entity component:default/operator',
    });
    const member = await s.getEntity('component:default/operator', {
      credentials: mockCredentials.user(MEMBER),
    });
    expect(member.clusters[0].problems.map(p => p.ownerRef)).toEqual([
      'group:default/platform-team',
    ]);
    await expect(
      s.getEntity('operator', { credentials: mockCredentials.user(MEMBER) }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('links problems only to entities the asker may read, and filters them', async () => {
    const { service: s, asked } = service();
    const linked = async (user: string, filter = {}) =>
      (
        await s.getProblems(filter, { credentials: mockCredentials.user(user) })
      ).map(p => `${p.id} ${p.entityRef ?? '-'} ${p.ownerRef ?? '-'}`);

    expect(await linked(OUTSIDER, { cluster: 'eks-a' })).toEqual([
      'eks-a/CrashLoopBackOff/data/webapp-data-0 component:default/webapp group:default/web-team',
      // The outsider may not read operator: no link to it, nor to its owner.
      'eks-a/CrashLoopBackOff/operators/operator-operators-0 - -',
      // Outside the namespace webapp pins: not webapp's.
      'eks-a/CrashLoopBackOff/staging/webapp-staging-0 - -',
    ]);
    expect(
      await linked(MEMBER, { owner: 'group:default/platform-team' }),
    ).toEqual([
      'eks-a/CrashLoopBackOff/operators/operator-operators-0 component:default/operator group:default/platform-team',
    ]);
    expect(await linked(MEMBER, { namespace: 'data' })).toEqual([
      'eks-a/CrashLoopBackOff/data/webapp-data-0 component:default/webapp group:default/web-team',
      'eks-b/CrashLoopBackOff/data/webapp-data-0 component:default/webapp group:default/web-team',
    ]);
    expect(await linked(MEMBER, { severity: 'warning' })).toEqual([]);
    // One catalog read per asker, however many views they ask for.
    expect(asked).toEqual([OUTSIDER, MEMBER]);
  });

  it('lists the clusters it reads, then those it does not with their reason', async () => {
    const { service: s } = service();
    const list = await s.listClusters({
      credentials: mockCredentials.user(OUTSIDER),
    });
    expect(list.map(c => [c.name, c.status, c.problems])).toEqual([
      ['eks-a', 'ok', { error: 3, warning: 0 }],
      ['eks-b', 'ok', { error: 1, warning: 0 }],
      ['gke-prod', 'down', { error: 0, warning: 0 }],
    ]);
    expect(list[2].message).toBe(
      "cluster 'gke-prod': authProvider 'google' is not supported",
    );
  });

  it('answers a cluster it does not read with NotFoundError and the reason or the config key', async () => {
    const { service: s } = service();
    await expect(s.getNodeGroups('gke-prod')).rejects.toMatchObject({
      name: 'NotFoundError',
      message: "cluster 'gke-prod': authProvider 'google' is not supported",
    });
    await expect(
      s.getProblems(
        { cluster: 'nope' },
        { credentials: mockCredentials.user(OUTSIDER) },
      ),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: 'No cluster named "nope" in kubernetes.clusterLocatorMethods',
    });
    expect((await s.getNodeGroups('eks-a')).map(g => g.name)).toEqual([
      'general',
    ]);
  });
});
