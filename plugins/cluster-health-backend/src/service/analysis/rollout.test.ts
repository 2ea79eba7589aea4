import { KUBERNETES_ID_LABEL } from '@internal/plugin-cluster-health-common';
import {
  clusterView,
  daemonSet,
  failingPod,
  node,
  ownedBy,
  pod,
  workload,
} from './__testUtils__/cluster';
import { clusterProblems } from './problems';
import { rolloutState } from './rollout';
import { entityWorkloads } from './workloads';

const ID = { [KUBERNETES_ID_LABEL]: 'kafka' };

describe('rolloutState', () => {
  it('calls a StatefulSet stalled when a pod of its rollout crash-loops', () => {
    const sts = workload('StatefulSet', 'kafka', {
      desired: 3,
      ready: 2,
      updated: 2,
      generation: 4,
      observedGeneration: 4,
    });
    expect(
      rolloutState(sts, [
        pod('kafka-0', { owners: ownedBy({ ...sts, kind: 'StatefulSet' }) }),
        pod('kafka-1'),
        failingPod('kafka-2', 'CrashLoopBackOff', { nodeName: 'n1' }),
      ]),
    ).toEqual({
      state: 'stalled',
      message: '2 of 3 updated, 2 ready; kafka-2: CrashLoopBackOff',
    });
  });

  it('calls a StatefulSet whose pod is merely starting progressing', () => {
    const sts = workload('StatefulSet', 'kafka', {
      desired: 3,
      ready: 2,
      updated: 3,
    });
    expect(
      rolloutState(sts, [
        pod('kafka-0'),
        pod('kafka-1'),
        pod('kafka-2', {
          ready: false,
          containers: [
            {
              name: 'kafka',
              image: 'kafka:3.9',
              ready: false,
              restartCount: 0,
              waitingReason: 'ContainerCreating',
            },
          ],
        }),
      ]).state,
    ).toBe('progressing');
  });

  it('calls a StatefulSet progressing while its controller has not seen the new generation', () => {
    const sts = workload('StatefulSet', 'kafka', {
      desired: 3,
      ready: 3,
      updated: 3,
      generation: 5,
      observedGeneration: 4,
    });
    expect(rolloutState(sts, []).state).toBe('progressing');
  });

  it('calls a DaemonSet stalled on updatedNumberScheduled below desired with an image that cannot be pulled', () => {
    const ds = daemonSet('aws-node', { desired: 3, ready: 3, updated: 1 });
    expect(
      rolloutState({ ...ds, kind: 'DaemonSet' }, [
        failingPod('aws-node-x', 'ImagePullBackOff', { nodeName: 'n2' }),
      ]),
    ).toEqual({
      state: 'stalled',
      message: '1 of 3 updated, 3 ready; aws-node-x: ImagePullBackOff',
    });
  });

  it('leaves a DaemonSet pod stuck on a NotReady node to the node', () => {
    const ds = daemonSet('kube-proxy', { desired: 3, ready: 2, updated: 3 });
    expect(
      rolloutState(
        { ...ds, kind: 'DaemonSet' },
        [failingPod('kube-proxy-x', 'ImagePullBackOff', { nodeName: 'bad' })],
        new Set(['bad']),
      ).state,
    ).toBe('progressing');
  });

  it("keeps a Deployment's verdict to its Progressing condition", () => {
    const deployment = workload('Deployment', 'webapp-consumer', {
      desired: 2,
      ready: 2,
      updated: 1,
      conditions: [
        {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message:
            'ReplicaSet "webapp-consumer-6bcd" has timed out progressing.',
        },
      ],
    });
    expect(
      rolloutState(deployment, [
        failingPod('webapp-consumer-6bcd-x', 'ImagePullBackOff'),
      ]),
    ).toEqual({
      state: 'stalled',
      message:
        'ReplicaSet "webapp-consumer-6bcd" has timed out progressing.; webapp-consumer-6bcd-x: ImagePullBackOff',
    });
  });
});

describe('entity workloads and problems', () => {
  const sts = workload('StatefulSet', 'kafka', {
    namespace: 'kafka',
    labels: ID,
    desired: 3,
    ready: 2,
    updated: 3,
  });
  const ds = daemonSet('kafka-exporter', {
    namespace: 'kafka',
    labels: ID,
    desired: 2,
    ready: 1,
    updated: 2,
  });
  const cluster = clusterView({
    nodes: [node('n1'), node('n2')],
    statefulsets: [sts],
    daemonsets: [ds],
    pods: [
      pod('kafka-0', {
        namespace: 'kafka',
        nodeName: 'n1',
        owners: ownedBy({ ...sts, kind: 'StatefulSet' }),
      }),
      pod('kafka-1', {
        namespace: 'kafka',
        nodeName: 'n2',
        owners: ownedBy({ ...sts, kind: 'StatefulSet' }),
      }),
      failingPod('kafka-2', 'CrashLoopBackOff', {
        namespace: 'kafka',
        nodeName: 'n2',
        owners: ownedBy({ ...sts, kind: 'StatefulSet' }),
      }),
      pod('kafka-exporter-a', {
        namespace: 'kafka',
        nodeName: 'n1',
        owners: ownedBy(ds),
      }),
      failingPod('kafka-exporter-b', 'CreateContainerConfigError', {
        namespace: 'kafka',
        nodeName: 'n2',
        owners: ownedBy(ds),
      }),
    ],
  });

  it('shows a StatefulSet and a DaemonSet as stalled on the entity', () => {
    const byKind = Object.fromEntries(
      entityWorkloads(cluster, 'kafka').map(w => [w.kind, w]),
    );
    expect(Object.keys(byKind).sort()).toEqual(['DaemonSet', 'StatefulSet']);
    expect(byKind.StatefulSet).toMatchObject({
      rollout: 'stalled',
      message: '3 of 3 updated, 2 ready; kafka-2: CrashLoopBackOff',
    });
    expect(byKind.DaemonSet).toMatchObject({
      rollout: 'stalled',
      updated: 2,
      message:
        '2 of 2 updated, 1 ready; kafka-exporter-b: CreateContainerConfigError',
    });
  });

  it('lists the stalled StatefulSet and DaemonSet as RolloutStalled problems', () => {
    const stalled = clusterProblems(cluster, new Map()).filter(
      p => p.kind === 'RolloutStalled',
    );
    expect(stalled.map(p => `${p.object.kind} ${p.object.name}`)).toEqual([
      'StatefulSet kafka',
      'DaemonSet kafka-exporter',
    ]);
    expect(stalled[0]).toMatchObject({
      id: 'test-cluster/RolloutStalled/kafka/kafka',
      severity: 'error',
      namespace: 'kafka',
      message:
        'rollout stalled: 3 of 3 updated, 2 ready; kafka-2: CrashLoopBackOff',
    });
  });
});
