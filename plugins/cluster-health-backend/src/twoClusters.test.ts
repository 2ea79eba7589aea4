/*
 * Two real clusters side by side (`scripts/sandbox up k8s helix`): the EKS-like cluster on
 * etcd and the on-prem k3s one on kine + SQLite, each through its own API server and the
 * portal's ServiceAccount there. Each is served with its own figures; the same namespace/pod
 * name in both is two rows; an entity pinned to one cluster (backstage.io/kubernetes-cluster)
 * is linked there only; stopping helix's API server leaves its last figures, marked stale,
 * and the EKS cluster's views unchanged.
 *
 * @sandbox-stops helix: stops helix's API server and starts it again
 */
import { execFileSync } from 'node:child_process';
import { Entity } from '@backstage/catalog-model';
import {
  ClusterSummary,
  ControlPlaneView,
  DaemonSetCoverage,
  EntityWorkloads,
  KUBERNETES_CLUSTER_ANNOTATION,
  KUBERNETES_ID_ANNOTATION,
  NodeGroupSummary,
  Problem,
} from '@internal/plugin-cluster-health-common';
import {
  clusterHealthBackend,
  env,
  sandboxCluster,
  sleep,
} from './__testUtils__/backend';

jest.setTimeout(180_000);

/** The same bare pod, crash-looping (the sandbox's KWOK stage), in namespace monitoring. */
const PROBE = 'same-name-probe';
const probePod = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: PROBE,
    namespace: 'monitoring',
    labels: {
      [KUBERNETES_ID_ANNOTATION]: PROBE,
      'sandbox.ml-platform.io/fault': 'crash-loop',
    },
  },
  spec: {
    containers: [
      {
        name: 'probe',
        image: 'ghcr.io/ml-platform/probe:0.1.0',
        resources: { requests: { cpu: '10m', memory: '16Mi' } },
      },
    ],
  },
});

const kubectl = (kubeconfig: string, args: string[], input?: string) =>
  execFileSync(env.k8s.kubectl, ['--kubeconfig', kubeconfig, ...args], {
    input,
    stdio: ['pipe', 'ignore', 'pipe'],
  });

const probeEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: PROBE,
    namespace: 'default',
    annotations: {
      [KUBERNETES_ID_ANNOTATION]: PROBE,
      [KUBERNETES_CLUSTER_ANNOTATION]: 'helix',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/sre',
  },
};

const admins = () => [env.k8s.kubeconfigs.admin, env.helix.kubeconfigs.admin];
const deleteProbe = (admin: string) =>
  kubectl(admin, [
    'delete',
    'pod',
    '-n',
    'monitoring',
    PROBE,
    '--ignore-not-found',
    '--wait=false',
  ]);

// The probe pods first: registered before the backend's beforeAll, so they run before it.
beforeAll(() => {
  for (const admin of admins()) {
    deleteProbe(admin);
    kubectl(admin, ['apply', '-f', '-'], probePod);
  }
});

const { get } = clusterHealthBackend({
  entities: [probeEntity],
  controlPlaneIntervalSeconds: 1,
  clusters: () => [
    sandboxCluster('eks-data-platform', env.k8s.kubeconfigs.portal),
    sandboxCluster('helix', env.helix.kubeconfigs.portal, env.helix),
  ],
});

afterAll(() => {
  for (const admin of admins()) deleteProbe(admin);
});

async function summaries(
  done: (byName: Record<string, ClusterSummary>) => boolean,
  seconds = 60,
) {
  const t0 = Date.now();
  for (;;) {
    const list = await get<ClusterSummary[]>('/clusters');
    const byName = Object.fromEntries(list.map(c => [c.name, c]));
    if (done(byName) || Date.now() - t0 > seconds * 1000) return byName;
    await sleep(500);
  }
}

const probeProblems = async () =>
  (await get<Problem[]>('/problems?namespace=monitoring')).filter(
    p => p.object.name === PROBE,
  );

describe('two clusters', () => {
  it('lists both clusters with their own nodes, node groups, DaemonSet gaps and problems', async () => {
    const byName = await summaries(
      b => b.helix?.status === 'ok' && b['eks-data-platform']?.status === 'ok',
    );
    expect(Object.keys(byName).sort()).toEqual(['eks-data-platform', 'helix']);
    expect(byName['eks-data-platform'].nodes).toEqual({
      total: 5,
      notReady: 1,
    });
    expect(byName.helix.nodes).toEqual({ total: 7, notReady: 0 });

    const eksGroups = await get<NodeGroupSummary[]>(
      '/clusters/eks-data-platform/node-groups',
    );
    expect(eksGroups.map(g => [g.name, g.label, g.nodes.length])).toEqual([
      ['general', 'eks.amazonaws.com/nodegroup', 3],
      ['gpu', 'eks.amazonaws.com/nodegroup', 2],
    ]);
    // k3s labels no node group: the nodes' roles are the groups.
    const helixGroups = await get<NodeGroupSummary[]>(
      '/clusters/helix/node-groups',
    );
    expect(helixGroups.map(g => [g.name, g.label, g.nodes.length])).toEqual([
      ['control-plane', 'node-role.kubernetes.io/control-plane', 3],
      ['worker', 'node-role.kubernetes.io/worker', 4],
    ]);
    expect(helixGroups[1].allocatable.cpuMillis).toBe(32_000);

    const ndm = (
      await get<DaemonSetCoverage[]>('/clusters/helix/daemonsets')
    ).find(d => d.name === 'openebs-ndm')!;
    expect(ndm.gaps.map(g => [g.node, g.nodeGroup, g.reason]).sort()).toEqual([
      ['helix-master-1', 'control-plane', 'taint-not-tolerated'],
      ['helix-master-2', 'control-plane', 'taint-not-tolerated'],
      ['helix-master-3', 'control-plane', 'taint-not-tolerated'],
    ]);

    const helixProblems = await get<Problem[]>('/problems?cluster=helix');
    const kinds = helixProblems.map(
      p => `${p.kind} ${p.namespace}/${p.object.name}`,
    );
    expect(
      kinds.filter(k => k.startsWith('CrashLoopBackOff network/cloudflared-')),
    ).toHaveLength(2);
    expect(
      kinds.filter(k => k.startsWith('ImagePullBackOff staging/helix-api-')),
    ).toHaveLength(1);
    expect(helixProblems.every(p => p.cluster === 'helix')).toBe(true);
    const eksProblems = await get<Problem[]>(
      '/problems?cluster=eks-data-platform',
    );
    expect(
      eksProblems.some(p => p.object.name.startsWith('release-notifier-')),
    ).toBe(true);
    expect(
      eksProblems.some(p => p.object.name.startsWith('cloudflared-')),
    ).toBe(false);

    // The k3s control plane on kine: etcd's checks answered by kine.
    const cp = await get<ControlPlaneView>('/clusters/helix/control-plane');
    expect(cp.readyz.checks.find(c => c.name === 'etcd')).toEqual({
      name: 'etcd',
      ok: true,
    });
    expect(cp.version?.gitVersion).toBe('v1.34.4');
  });

  it('shows the same namespace/pod name in both clusters as two rows, each linked only where its entity pins it', async () => {
    let rows = await probeProblems();
    for (let i = 0; i < 60 && rows.length < 2; i++) {
      await sleep(500);
      rows = await probeProblems();
    }
    expect(rows.map(r => [r.cluster, r.kind, r.namespace]).sort()).toEqual([
      ['eks-data-platform', 'CrashLoopBackOff', 'monitoring'],
      ['helix', 'CrashLoopBackOff', 'monitoring'],
    ]);
    expect(new Set(rows.map(r => r.id)).size).toBe(2);
    // The entity pins helix: the EKS pod of the same name is not its.
    const byCluster = Object.fromEntries(rows.map(r => [r.cluster, r]));
    expect(byCluster.helix.entityRef).toBe(`component:default/${PROBE}`);
    expect(byCluster['eks-data-platform'].entityRef).toBeUndefined();

    const entity = await get<EntityWorkloads>(
      `/entity?entityRef=component:default/${PROBE}`,
    );
    expect(entity.cluster).toBe('helix');
    expect(entity.clusters.map(c => c.cluster)).toEqual(['helix']);
    expect(entity.clusters[0].problems.map(p => p.object.name)).toEqual([
      PROBE,
    ]);
  });

  it('marks helix stale with its last figures while its API server is down; the EKS cluster is unchanged', async () => {
    const before = await summaries(
      b => b.helix?.status === 'ok' && b['eks-data-platform']?.status === 'ok',
    );
    const eksBefore = before['eks-data-platform'];
    // The EKS cluster's groups as this test can hold them to: the NotReady node's reason and
    // taints are the node controller's to change meanwhile (the kubelet's "CNI not ready"
    // becomes "stopped posting" once the grace period is over, or after a controller restart).
    const eksGroups = async () =>
      (
        await get<NodeGroupSummary[]>('/clusters/eks-data-platform/node-groups')
      ).map(g => ({
        ...g,
        nodes: g.nodes.map(n =>
          n.ready ? n : { ...n, notReadyReason: undefined, taints: undefined },
        ),
      }));
    const eksGroupsBefore = await eksGroups();
    execFileSync(env.cli, ['k8s', '--cluster', 'helix', 'stop-apiserver'], {
      stdio: 'ignore',
    });
    try {
      const down = await summaries(b => b.helix.status !== 'ok');
      expect(down.helix.status).toBe('degraded');
      expect(down.helix.resources.some(r => r.state === 'stale')).toBe(true);
      // The last figures, from memory.
      expect(down.helix.nodes).toEqual({ total: 7, notReady: 0 });
      const groups = await get<NodeGroupSummary[]>(
        '/clusters/helix/node-groups',
      );
      expect(groups.map(g => g.name)).toEqual(['control-plane', 'worker']);

      let cp = await get<ControlPlaneView>('/clusters/helix/control-plane');
      for (let i = 0; i < 30 && !cp.stale; i++) {
        await sleep(500);
        cp = await get<ControlPlaneView>('/clusters/helix/control-plane');
      }
      expect(cp.stale).toBe(true);
      expect(cp.status).toBe('down');
      expect(cp.error).toMatch(/cannot reach the API server/);
      expect(cp.version?.gitVersion).toBe('v1.34.4');
      expect(cp.readyz.checks.length).toBeGreaterThan(5);

      // The other cluster: as before.
      const eks = down['eks-data-platform'];
      expect(eks.status).toBe('ok');
      expect(eks.nodes).toEqual(eksBefore.nodes);
      expect(await eksGroups()).toEqual(eksGroupsBefore);
      const eksCp = await get<ControlPlaneView>(
        '/clusters/eks-data-platform/control-plane',
      );
      expect(eksCp.stale).toBe(false);
      expect(eksCp.readyz.state).toBe('ok');
    } finally {
      execFileSync(env.cli, ['k8s', '--cluster', 'helix', 'start-apiserver'], {
        stdio: 'ignore',
      });
    }
    const after = await summaries(b => b.helix.status === 'ok', 90);
    expect(after.helix.status).toBe('ok');
    let cp = await get<ControlPlaneView>('/clusters/helix/control-plane');
    for (let i = 0; i < 30 && cp.stale; i++) {
      await sleep(500);
      cp = await get<ControlPlaneView>('/clusters/helix/control-plane');
    }
    expect(cp.stale).toBe(false);
  });
});
