import {
  ClusterOverview,
  GroupDetail,
  GroupSummary,
  ScaledObjectScaling,
} from '@internal/plugin-kafka-lag-common';
import { KafkaLagApi } from '../api';

/** Test data and a fake API for the package's tests. */
export function summary(overrides: Partial<GroupSummary> = {}): GroupSummary {
  return {
    cluster: 'platform-kafka',
    group: 'webapp-consumer',
    state: 'Stable',
    memberCount: 3,
    topics: ['orders'],
    totalLag: 1200,
    maxLagSeconds: 200,
    maxLagSecondsIsLowerBound: false,
    status: 'OK',
    timeToDrainSeconds: 95,
    neverCommittedPartitions: 0,
    sampledAt: new Date(Date.now() - 20_000).toISOString(),
    stale: false,
    ...overrides,
  };
}

export function detail(overrides: Partial<GroupDetail> = {}): GroupDetail {
  const now = Date.now();
  return {
    ...summary(),
    members: [
      {
        memberId: 'consumer-1-abc',
        clientId: 'webapp',
        host: '/10.0.0.7',
        assignments: [{ topic: 'orders', partitions: [0, 1] }],
      },
    ],
    partitions: [
      {
        topic: 'orders',
        partition: 0,
        endOffset: 5000,
        logStartOffset: 0,
        committedOffset: 3800,
        lag: 1200,
        lagSeconds: 200,
        lagSecondsIsLowerBound: false,
        status: 'OK',
        neverCommitted: false,
        belowLogStart: false,
        memberId: 'consumer-1-abc',
      },
      {
        topic: 'orders',
        partition: 1,
        endOffset: 900,
        logStartOffset: 0,
        committedOffset: null,
        lag: null,
        lagSeconds: null,
        lagSecondsIsLowerBound: false,
        status: 'UNKNOWN',
        neverCommitted: true,
        belowLogStart: false,
      },
      {
        topic: 'orders',
        partition: 2,
        endOffset: 7000,
        logStartOffset: 6000,
        committedOffset: 5500,
        lag: 1500,
        lagSeconds: 7200,
        lagSecondsIsLowerBound: true,
        status: 'STALLED',
        neverCommitted: false,
        belowLogStart: true,
      },
    ],
    history: [0, 1, 2, 3].map(i => ({
      at: new Date(now - (3 - i) * 60_000).toISOString(),
      totalLag: 1000 + i * 100,
      maxLagSeconds: 150 + i * 20,
    })),
    ...overrides,
  };
}

export function cluster(
  overrides: Partial<ClusterOverview> = {},
): ClusterOverview {
  return {
    name: 'platform-kafka',
    lastSampleAt: new Date(Date.now() - 20_000).toISOString(),
    stale: false,
    groups: [summary()],
    ...overrides,
  };
}

/** One ScaledObject's answer: llm-ingestors held by partitions, unless overridden. */
export function scaling(
  overrides: Partial<ScaledObjectScaling> = {},
): ScaledObjectScaling {
  return {
    cluster: 'eks-data-platform',
    namespace: 'ml',
    name: 'llm-ingestors',
    target: { kind: 'Deployment', name: 'llm-ingestors' },
    replicas: 12,
    trigger: {
      name: 'raw-events-lag',
      topic: 'raw-events',
      lagThreshold: 500,
      activationLagThreshold: 0,
      allowIdleConsumers: false,
      limitToPartitionsWithLag: false,
      offsetResetPolicy: 'earliest',
    },
    lag: 48_000,
    partitions: 12,
    partitionsWithLag: 12,
    lagAsks: 96,
    expectedReplicas: 12,
    bound: 'partitions',
    active: true,
    minReplicas: 2,
    maxReplicas: 24,
    cooldownPeriodSeconds: 300,
    pollingIntervalSeconds: 15,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'ScaledObjectReady' },
      { type: 'Active', status: 'True', reason: 'ScalerActive' },
      { type: 'Fallback', status: 'False' },
      { type: 'Paused', status: 'False' },
    ],
    hpa: {
      name: 'keda-hpa-llm-ingestors',
      minReplicas: 2,
      maxReplicas: 24,
      currentReplicas: 12,
      desiredReplicas: 12,
      conditions: [
        { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale' },
        { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' },
        {
          type: 'ScalingLimited',
          status: 'False',
          reason: 'DesiredWithinRange',
        },
      ],
    },
    reason: 'partitions',
    sentence:
      'Partitions bind: the lag 48,000 asks for 96 replicas at 500 per replica, but the topic has 12 partitions and KEDA does not scale past that without allowIdleConsumers.',
    ...overrides,
  };
}

export function fakeApi(overrides: Partial<KafkaLagApi> = {}) {
  return {
    listClusters: jest.fn(async () => [cluster()]),
    getGroup: jest.fn(async () => detail()),
    getGroups: jest.fn(async () => ({ groups: [summary()], missing: [] })),
    getAutoscaling: jest.fn(async () => ({
      cluster: 'platform-kafka',
      group: 'webapp-consumer',
      scaledObjects: [],
      notices: [],
    })),
    ...overrides,
  } satisfies KafkaLagApi;
}
