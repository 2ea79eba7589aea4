import {
  ClusterOverview,
  GroupDetail,
  GroupSummary,
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

export function fakeApi(overrides: Partial<KafkaLagApi> = {}) {
  return {
    listClusters: jest.fn(async () => [cluster()]),
    getGroup: jest.fn(async () => detail()),
    getGroups: jest.fn(async () => ({ groups: [summary()], missing: [] })),
    ...overrides,
  } satisfies KafkaLagApi;
}
