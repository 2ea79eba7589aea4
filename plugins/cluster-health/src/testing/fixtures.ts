import {
  ClusterSummary,
  ControlPlaneView,
  DaemonSetCoverage,
  NodeGroupSummary,
  Problem,
} from '@internal/plugin-cluster-health-common';
import { ClusterHealthApi } from '../api';

/** Test data and a fake API for the package's tests. */
export const GiB = 2 ** 30;

export function cluster(
  overrides: Partial<ClusterSummary> = {},
): ClusterSummary {
  return {
    name: 'eks-data-platform',
    status: 'ok',
    resources: [
      {
        resource: 'nodes',
        state: 'synced',
        count: 5,
        lastEventAt: new Date().toISOString(),
      },
      {
        resource: 'poddisruptionbudgets',
        state: 'forbidden',
        count: 0,
        error: '403 Forbidden',
      },
    ],
    nodes: { total: 5, notReady: 1 },
    pods: { total: 50, running: 40, pending: 5, failing: 2 },
    problems: { error: 3, warning: 1 },
    ...overrides,
  };
}

export const general: NodeGroupSummary = {
  name: 'general',
  label: 'eks.amazonaws.com/nodegroup',
  nodes: [
    {
      name: 'ip-10-0-3-47',
      ready: false,
      notReadyReason: 'KubeletNotReady: aws-node CNI plugin not initialized',
      unschedulable: false,
      allocatable: { cpuMillis: 3920, memoryBytes: 15 * GiB, gpus: 0 },
      requested: { cpuMillis: 0, memoryBytes: 0, gpus: 0 },
      pods: 4,
      taints: [],
    },
    ...['ip-10-0-1-10', 'ip-10-0-2-20'].map(name => ({
      name,
      ready: true,
      unschedulable: false,
      allocatable: { cpuMillis: 3920, memoryBytes: 15 * GiB, gpus: 0 },
      requested: { cpuMillis: 3000, memoryBytes: 6 * GiB, gpus: 0 },
      pods: 12,
      taints: [],
    })),
  ],
  ready: 2,
  notReady: 1,
  instanceTypes: ['m5.xlarge'],
  zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
  allocatable: { cpuMillis: 7840, memoryBytes: 30 * GiB, gpus: 0 },
  requested: { cpuMillis: 6000, memoryBytes: 12 * GiB, gpus: 0 },
  headroomNMinus1: { cpuMillis: -2080, memoryBytes: 3 * GiB, gpus: 0 },
};

export const coverage: DaemonSetCoverage[] = [
  {
    namespace: 'logging',
    name: 'fluent-bit',
    desired: 2,
    ready: 2,
    byNodeGroup: {
      general: { nodes: 3, desired: 2, ready: 2 },
      gpu: { nodes: 2, desired: 0, ready: 0 },
    },
    gaps: [
      {
        node: 'ip-10-0-5-9',
        nodeGroup: 'gpu',
        reason: 'taint-not-tolerated',
        detail: 'does not tolerate the taint nvidia.com/gpu=present:NoSchedule',
      },
    ],
  },
];

export const crashLoop: Problem = {
  id: 'c/CrashLoopBackOff/operators/release-notifier-1',
  cluster: 'eks-data-platform',
  kind: 'CrashLoopBackOff',
  severity: 'error',
  namespace: 'operators',
  object: { kind: 'Pod', name: 'release-notifier-1' },
  message:
    'container release-notifier restarting (17 restarts, last exit: Error)',
  entityRef: 'component:default/release-notifier',
  ownerRef: 'group:default/platform-team',
  events: [
    {
      reason: 'BackOff',
      message: 'Back-off restarting failed container',
      count: 9,
    },
  ],
};

export function controlPlaneView(
  overrides: Partial<ControlPlaneView> = {},
): ControlPlaneView {
  const now = new Date().toISOString();
  return {
    cluster: 'eks-data-platform',
    status: 'ok',
    stale: false,
    probedAt: now,
    lastSuccessAt: now,
    version: { gitVersion: 'v1.34.4', platform: 'linux/amd64' },
    versionState: 'ok',
    readyz: {
      endpoint: 'readyz',
      state: 'ok',
      readAt: now,
      checks: [
        { name: 'ping', ok: true },
        { name: 'etcd', ok: true },
      ],
    },
    livez: {
      endpoint: 'livez',
      state: 'ok',
      readAt: now,
      checks: [
        { name: 'ping', ok: true },
        { name: 'etcd', ok: true },
      ],
    },
    leases: ['kube-scheduler', 'kube-controller-manager'].map(component => ({
      component,
      state: 'ok' as const,
      holder: `vm_${component}`,
      renewedAt: now,
      leaseDurationSeconds: 15,
      ageSeconds: 1,
      stale: false,
      message: `vm_${component} leads (renewed 1 s ago)`,
    })),
    problems: [],
    ...overrides,
  };
}

export function fakeApi(
  overrides: Partial<ClusterHealthApi> = {},
): ClusterHealthApi {
  return {
    listClusters: jest.fn(async () => [cluster()]),
    getNodeGroups: jest.fn(async () => [general]),
    getDaemonSets: jest.fn(async () => coverage),
    getProblems: jest.fn(async () => [crashLoop]),
    getEvents: jest.fn(async () => []),
    getControlPlane: jest.fn(async () => controlPlaneView()),
    getGithubReleases: jest.fn(async () => []),
    getEntityWorkloads: jest.fn(),
    getAlerts: jest.fn(async () => [
      { cluster: 'eks-data-platform', status: 'ok' as const, alerts: [] },
    ]),
    getEntityAlerts: jest.fn(async (entityRef: string) => ({
      entityRef,
      clusters: [
        { cluster: 'eks-data-platform', status: 'ok' as const, alerts: [] },
      ],
    })),
    ...overrides,
  };
}
