import {
  clusterView,
  daemonSet,
  node,
  ownedBy,
  pod,
} from './__testUtils__/cluster';
import { daemonSetCoverage } from './coverage';

const LABELS = ['eks.amazonaws.com/nodegroup'];
const GPU_TAINT = {
  key: 'nvidia.com/gpu',
  value: 'present',
  effect: 'NoSchedule',
};
const gpuNode = (name: string, overrides = {}) =>
  node(name, {
    labels: { 'eks.amazonaws.com/nodegroup': 'gpu' },
    taints: [GPU_TAINT],
    ...overrides,
  });
const notReady = {
  ready: false,
  readyReason: 'KubeletNotReady',
  readyMessage: 'container runtime network not ready',
  taints: [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ],
};

describe('daemonSetCoverage', () => {
  it('counts a node whose ready pod predates a taint the DaemonSet does not tolerate as covered', () => {
    const ds = daemonSet('fluent-bit', { desired: 1, ready: 1, updated: 1 });
    const [coverage] = daemonSetCoverage(
      clusterView({
        nodes: [gpuNode('gpu-1')],
        daemonsets: [ds],
        pods: [pod('fluent-bit-a', { nodeName: 'gpu-1', owners: ownedBy(ds) })],
      }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([]);
    expect(coverage.byNodeGroup.gpu).toEqual({
      nodes: 1,
      desired: 1,
      ready: 1,
    });
  });

  it('still reports the taint for a tainted node without a pod', () => {
    const ds = daemonSet('fluent-bit');
    const [coverage] = daemonSetCoverage(
      clusterView({ nodes: [gpuNode('gpu-1')], daemonsets: [ds] }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([
      {
        node: 'gpu-1',
        nodeGroup: 'gpu',
        reason: 'taint-not-tolerated',
        detail: 'does not tolerate the taint nvidia.com/gpu=present:NoSchedule',
      },
    ]);
    expect(coverage.byNodeGroup.gpu.desired).toBe(0);
  });

  it("gives a NotReady node's gap the node's own reason, with the pod's state", () => {
    const ds = daemonSet('kube-proxy', { desired: 2, ready: 1, updated: 2 });
    const [coverage] = daemonSetCoverage(
      clusterView({
        nodes: [node('ok-1'), node('bad-1', notReady)],
        daemonsets: [ds],
        pods: [
          pod('kube-proxy-a', { nodeName: 'ok-1', owners: ownedBy(ds) }),
          pod('kube-proxy-b', {
            nodeName: 'bad-1',
            owners: ownedBy(ds),
            phase: 'Pending',
            ready: false,
          }),
        ],
      }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([
      {
        node: 'bad-1',
        nodeGroup: 'general',
        reason: 'node-not-ready',
        detail:
          'the node is NotReady (KubeletNotReady: container runtime network not ready); pod kube-proxy-b Pending',
      },
    ]);
    expect(coverage.byNodeGroup.general).toEqual({
      nodes: 2,
      desired: 2,
      ready: 1,
    });
  });

  it("reports a NotReady node without a pod as NotReady, not as the node controller's not-ready taint", () => {
    const ds = daemonSet('aws-node');
    const [coverage] = daemonSetCoverage(
      clusterView({ nodes: [node('bad-1', notReady)], daemonsets: [ds] }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([
      expect.objectContaining({
        node: 'bad-1',
        reason: 'node-not-ready',
        detail:
          'the node is NotReady (KubeletNotReady: container runtime network not ready); no pod on it',
      }),
    ]);
  });

  it('keeps a NotReady node that the DaemonSet does not tolerate out of its desired nodes', () => {
    const ds = daemonSet('fluent-bit');
    const [coverage] = daemonSetCoverage(
      clusterView({
        nodes: [
          gpuNode('gpu-1', {
            ...notReady,
            taints: [GPU_TAINT, ...notReady.taints],
          }),
        ],
        daemonsets: [ds],
      }),
      LABELS,
    );
    expect(coverage.gaps.map(g => g.reason)).toEqual(['taint-not-tolerated']);
    expect(coverage.byNodeGroup.gpu.desired).toBe(0);
  });

  it('takes the ready pod of a node that holds an old and a new one during a rollout', () => {
    const ds = daemonSet('node-exporter', { desired: 1, ready: 1 });
    const [coverage] = daemonSetCoverage(
      clusterView({
        nodes: [node('ok-1')],
        daemonsets: [ds],
        pods: [
          pod('node-exporter-new', { nodeName: 'ok-1', owners: ownedBy(ds) }),
          pod('node-exporter-old', {
            nodeName: 'ok-1',
            owners: ownedBy(ds),
            ready: false,
            deleting: true,
          }),
        ],
      }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([]);
    expect(coverage.byNodeGroup.general.ready).toBe(1);
  });

  it('reports a failing pod on a Ready node with its reason', () => {
    const ds = daemonSet('aws-node');
    const [coverage] = daemonSetCoverage(
      clusterView({
        nodes: [node('ok-1')],
        daemonsets: [ds],
        pods: [
          pod('aws-node-a', {
            nodeName: 'ok-1',
            owners: ownedBy(ds),
            ready: false,
            containers: [
              {
                name: 'aws-node',
                image: 'aws-node:1',
                ready: false,
                restartCount: 4,
                waitingReason: 'CrashLoopBackOff',
              },
            ],
          }),
        ],
      }),
      LABELS,
    );
    expect(coverage.gaps).toEqual([
      expect.objectContaining({
        reason: 'pod-failing',
        detail: 'pod aws-node-a CrashLoopBackOff, 4 restarts',
      }),
    ]);
  });
});
