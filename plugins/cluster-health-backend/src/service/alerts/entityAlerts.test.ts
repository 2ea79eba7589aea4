import type {
  ClusterAlerts,
  PortalAlert,
  WorkloadSummary,
} from '@internal/plugin-cluster-health-common';
import { entityClusterAlerts } from './entityAlerts';
import { parseAlertSelector } from './selector';

function alert(name: string, labels: Record<string, string>): PortalAlert {
  return {
    fingerprint: name,
    name,
    state: 'firing',
    labels: { alertname: name, ...labels },
    startsAt: '2026-12-03T10:00:00Z',
    silencedBy: [],
    alertmanagerUrl: 'http://am/#/alerts',
  };
}

function workload(over: Partial<WorkloadSummary>): WorkloadSummary {
  return {
    kind: 'Deployment',
    namespace: 'ml',
    name: 'llm-chat-server',
    desired: 2,
    ready: 2,
    updated: 2,
    rollout: 'complete',
    restarts: 0,
    images: [],
    pods: [
      {
        name: 'llm-chat-server-7d9-abcde',
        phase: 'Running',
        ready: true,
        restarts: 0,
      },
    ],
    ...over,
  } as WorkloadSummary;
}

const cluster = (alerts: PortalAlert[]): ClusterAlerts => ({
  cluster: 'eks',
  status: 'ok',
  alerts,
});

describe('entityClusterAlerts', () => {
  const all = cluster([
    alert('ModelServerQueueBacklog', {
      namespace: 'ml',
      workload: 'llm-chat-server',
    }),
    alert('KubeDeploymentReplicasMismatch', {
      namespace: 'ml',
      deployment: 'llm-chat-server',
    }),
    alert('GpuXidError', {
      namespace: 'ml',
      pod: 'llm-chat-server-7d9-abcde',
      gpu: '7',
    }),
    // Same name, other namespace; and another workload's pod.
    alert('KubePodCrashLooping', {
      namespace: 'data',
      deployment: 'llm-chat-server',
    }),
    alert('KubePodNotReady', { namespace: 'ml', pod: 'embedding-server-1' }),
    alert('NodeDown', { instance: 'ip-10-0-5-10' }),
  ]);

  it("keeps the alerts of the entity's workloads by workload label or pod, each saying why", () => {
    const mine = entityClusterAlerts(all, [workload({})]);
    expect(mine.alerts.map(a => [a.name, a.matchedBy])).toEqual([
      ['ModelServerQueueBacklog', 'Deployment ml/llm-chat-server'],
      ['KubeDeploymentReplicasMismatch', 'Deployment ml/llm-chat-server'],
      [
        'GpuXidError',
        'pod llm-chat-server-7d9-abcde of Deployment ml/llm-chat-server',
      ],
    ]);
    expect(mine.status).toBe('ok');
  });

  it('adds what the alert selector matches, and only that beside the workloads', () => {
    const mine = entityClusterAlerts(
      all,
      [],
      parseAlertSelector('{alertname="NodeDown"}'),
    );
    expect(mine.alerts.map(a => [a.name, a.matchedBy])).toEqual([
      ['NodeDown', 'ml-platform.io/alert-selector'],
    ]);
  });

  it("reads a StatefulSet's label for a StatefulSet, not a Deployment's", () => {
    const sts = workload({ kind: 'StatefulSet', name: 'kafka', pods: [] });
    const alerts = cluster([
      alert('A', { namespace: 'ml', statefulset: 'kafka' }),
      alert('B', { namespace: 'ml', deployment: 'kafka' }),
    ]);
    expect(entityClusterAlerts(alerts, [sts]).alerts.map(a => a.name)).toEqual([
      'A',
    ]);
  });

  it('passes on an unreachable Alertmanager with its message', () => {
    const down: ClusterAlerts = {
      cluster: 'eks',
      status: 'unreachable',
      message: 'The Alertmanager of cluster eks did not answer',
      alerts: [],
    };
    expect(entityClusterAlerts(down, [workload({})])).toEqual(down);
  });
});
