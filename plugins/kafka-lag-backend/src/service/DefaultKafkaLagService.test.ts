/*
 * The lag service against the sandbox's three real brokers and its workload
 * (scripts/sandbox up kafka workload), with the plugin's real migrations on SQLite.
 * Kafka's own ConsumerGroupCommand is the ground truth for lag.
 *
 * @sandbox-stops kafka: stops broker 2 and starts it again
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { GroupDetail } from '@internal/plugin-kafka-lag-common';
import {
  consumerGroupCommandLag,
  commitGroupOffsets,
  ensureTopics,
  retrying,
  sandboxEnv,
} from '@internal/sandbox';
import { DatabaseLagStore } from './DatabaseLagStore';
import { DefaultKafkaLagService } from './DefaultKafkaLagService';

jest.setTimeout(180_000);

const run = promisify(execFile);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const env = sandboxEnv();
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function createService(clusters: { name: string; brokers: string[] }[]) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseLagStore.create(
    mockServices.database({ knex, migrations: { skip: false } }),
  );
  const service = await DefaultKafkaLagService.create({
    config: {
      clusters: clusters.map(c => ({
        name: c.name,
        kafka: { clientId: 'kafka-lag-test', brokers: c.brokers },
      })),
      sampleIntervalSeconds: 2,
      sampleTimeoutSeconds: 60,
      statusWindow: 8,
      snapshotRetentionMs: 3_600_000,
      historyRetentionMs: 3_600_000,
    },
    store,
    logger: mockServices.logger.mock(),
  });
  return { service, store };
}

async function sampleTimes(
  service: DefaultKafkaLagService,
  cluster: string,
  times: number,
) {
  for (let i = 0; i < times; i++) {
    if (i > 0) await sleep(2500);
    await service.sample(cluster);
  }
}

/**
 * A topic of the test's own (RF 3) that nothing else writes to, with `counts[p]`
 * messages on partition p; returns its name (`name`, or `name-2`, `name-3`).
 * The end offsets must be exactly the counts: they are what the test compares with.
 * On two busy cores a send can still be written twice, even by the idempotent
 * producer (seen 2026-12-07 with the test lanes of scripts/test.sh side by side:
 * 60 and 75 messages on the two partitions of one leader instead of 20 and 25).
 * The counts are the test's precondition, not what it tests: a topic that got more
 * is deleted and the seeding done again on a new one, at most three times.
 */
async function createTopicWithMessages(
  kafka: Kafka,
  admin: Admin,
  name: string,
  counts: number[],
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const topic = attempt === 1 ? name : `${name}-${attempt}`;
    await ensureTopics(admin, [{ topic, numPartitions: counts.length }]);
    // A new topic's metadata reaches every broker a moment later: ask until every
    // partition has its leader, or the first send can fail over and be retried.
    await retrying(async () => {
      const m = await admin.fetchTopicMetadata({ topics: [topic] });
      if (m.topics[0].partitions.some(p => p.leader < 0)) {
        throw Object.assign(new Error('partitions without a leader yet'), {
          retriable: true,
        });
      }
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: counts.flatMap((count, partition) =>
          Array.from({ length: count }, (_, i) => ({
            partition,
            value: `p${partition}-m${i}`,
          })),
        ),
      });
    } finally {
      await producer.disconnect();
    }
    const ends = (await admin.fetchTopicOffsets(topic))
      .sort((a, b) => a.partition - b.partition)
      .map(e => Number(e.high));
    if (ends.every((end, p) => end === counts[p])) return topic;
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    if (attempt === 3) expect(ends).toEqual(counts);
  }
}

/** Commits offsets for a group with no members, as `kafka-consumer-groups --reset-offsets` would. */
const commitOffsets = (
  admin: Admin,
  groupId: string,
  topic: string,
  offsets: Record<number, number>,
) =>
  commitGroupOffsets(admin, {
    groupId,
    topic,
    partitions: Object.entries(offsets).map(([partition, offset]) => ({
      partition: Number(partition),
      offset: String(offset),
    })),
  });

/**
 * Samples until the service sees each of the given commits (on a loaded machine a
 * commit can take a moment to show in the group's offsets), and returns the group.
 */
async function sampleUntilCommitted(
  service: DefaultKafkaLagService,
  group: string,
  commits: Record<number, number>,
) {
  const expected = Object.entries(commits).map(([p, o]) => [Number(p), o]);
  let detail: GroupDetail | undefined;
  for (let i = 0; i < 30; i++) {
    await service.sample('platform-kafka');
    detail = await service
      .getGroup({ cluster: 'platform-kafka', group }, 3600)
      .catch(() => undefined);
    const seen = new Map(
      (detail?.partitions ?? []).map(p => [p.partition, p.committedOffset]),
    );
    if (expected.every(([p, o]) => seen.get(p) === o)) return detail!;
    await sleep(500);
  }
  throw new Error(
    `The service did not see the commits ${JSON.stringify(
      commits,
    )} of ${group}; last seen: ${JSON.stringify(detail?.partitions)}`,
  );
}

/** ConsumerGroupCommand's LAG column for one group, keyed `<topic>/<partition>`. */
async function toolLag(group: string) {
  const truth = await consumerGroupCommandLag(group);
  return Object.fromEntries(
    [...truth]
      .filter(([key]) => key.startsWith(`${group}/`))
      .map(([key, lag]) => [key.slice(group.length + 1), lag]),
  );
}

describe('DefaultKafkaLagService against the sandbox', () => {
  it('gives each workload group its status, lag and seconds', async () => {
    const { service, store } = await createService([
      { name: 'platform-kafka', brokers: env.kafkaBrokers },
    ]);
    // Until the workload's consumers run steadily (right after `sandbox up` some
    // partitions wait for their first fetch), a slow group can read as STALLED.
    let samples = 0;
    const ingestorsStatus = async () =>
      (await service.listClusters())[0].groups.find(
        g => g.group === 'llm-ingestors',
      )?.status;
    await sampleTimes(service, 'platform-kafka', 8);
    samples += 8;
    while ((await ingestorsStatus()) !== 'WARNING' && samples < 40) {
      await sleep(2500);
      await service.sample('platform-kafka');
      samples += 1;
    }
    const [cluster] = await service.listClusters();
    expect(cluster.error).toBeUndefined();
    const byName = new Map(cluster.groups.map(g => [g.group, g]));

    const webapp = byName.get('webapp-consumer')!;
    expect(webapp.status).toBe('OK');
    expect(webapp.totalLag).toBeLessThan(200);

    const ingestors = byName.get('llm-ingestors')!;
    expect(ingestors.status).toBe('WARNING');
    expect(ingestors.totalLag).toBeGreaterThan(webapp.totalLag);
    // Falling behind at ~10 messages/s out of ~20: the oldest unread message is
    // seconds old, and the figure is not absurd.
    expect(ingestors.maxLagSeconds).toBeGreaterThan(1);
    expect(ingestors.maxLagSeconds).toBeLessThan(24 * 3600);

    expect(byName.get('release-notifier')!.status).toBe('STOPPED');

    const archiver = await service.getGroup(
      { cluster: 'platform-kafka', group: 'release-archiver' },
      3600,
    );
    const partition2 = archiver.partitions.find(
      p => p.topic === 'github-releases' && p.partition === 2,
    )!;
    expect(partition2.neverCommitted).toBe(true);
    expect(partition2.lag).toBeNull();
    expect(archiver.neverCommittedPartitions).toBe(1);

    // History for the charts is in the database.
    const history = await store.loadHistory('platform-kafka', 'llm-ingestors', {
      since: 0,
      until: Date.now(),
    });
    expect(history.length).toBe(samples);
  });

  it('sees a rewind, with lag equal to ConsumerGroupCommand', async () => {
    const kafka = new Kafka({
      clientId: 'kafka-lag-test',
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const topic = `kafka-lag-rewind-${Date.now()}`;
    const group = `${topic}-group`;
    try {
      await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
      const producer = kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 100 }, (_, i) => ({ value: `m${i}` })),
      });
      await producer.disconnect();
      const setOffset = (offset: string) =>
        commitGroupOffsets(admin, {
          groupId: group,
          topic,
          partitions: [{ partition: 0, offset }],
        });
      await setOffset('90');

      const { service } = await createService([
        { name: 'platform-kafka', brokers: env.kafkaBrokers },
      ]);
      // On a loaded machine a commit can take a moment to show in the group's offsets:
      // sample until the service has seen each one (lag 10 at offset 90, lag 75 at 25).
      const sampleUntilLag = async (lag: number) => {
        for (let i = 0; i < 30; i++) {
          await service.sample('platform-kafka');
          const seen = await service
            .getGroup({ cluster: 'platform-kafka', group }, 3600)
            .then(d => d.totalLag)
            .catch(() => undefined);
          if (seen === lag) return;
          await sleep(500);
        }
      };
      await sampleUntilLag(10);
      await setOffset('25');
      await sampleUntilLag(75);

      const detail = await service.getGroup(
        { cluster: 'platform-kafka', group },
        3600,
      );
      expect(detail.status).toBe('REWINDING');
      expect(detail.totalLag).toBe(75);
      const truth = await consumerGroupCommandLag(group);
      expect(truth.get(`${group}/${topic}/0`)).toBe('75');
    } finally {
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('gives per-partition lag equal to ConsumerGroupCommand, on a topic nothing else writes to', async () => {
    const kafka = new Kafka({
      clientId: 'kafka-lag-test',
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const name = `kafka-lag-exact-${Date.now()}`;
    const group = `${name}-group`;
    let topic = name;
    try {
      // Partition 3 is empty; partition 4 gets no commit.
      topic = await createTopicWithMessages(
        kafka,
        admin,
        name,
        [30, 20, 10, 0, 25],
      );
      const commits = { 0: 30, 1: 5, 2: 0, 3: 0 };
      await commitOffsets(admin, group, topic, commits);

      const { service } = await createService([
        { name: 'platform-kafka', brokers: env.kafkaBrokers },
      ]);
      const detail = await sampleUntilCommitted(service, group, commits);
      // Nothing writes to the topic nor commits for the group from here on: the
      // figures must be exactly the tool's.
      const truth = await toolLag(group);

      expect(
        detail.partitions.map(p => ({
          partition: p.partition,
          endOffset: p.endOffset,
          committedOffset: p.committedOffset,
          lag: p.lag,
          neverCommitted: p.neverCommitted,
        })),
      ).toEqual([
        {
          partition: 0,
          endOffset: 30,
          committedOffset: 30,
          lag: 0,
          neverCommitted: false,
        },
        {
          partition: 1,
          endOffset: 20,
          committedOffset: 5,
          lag: 15,
          neverCommitted: false,
        },
        {
          partition: 2,
          endOffset: 10,
          committedOffset: 0,
          lag: 10,
          neverCommitted: false,
        },
        {
          partition: 3,
          endOffset: 0,
          committedOffset: 0,
          lag: 0,
          neverCommitted: false,
        },
        {
          partition: 4,
          endOffset: 25,
          committedOffset: null,
          lag: null,
          neverCommitted: true,
        },
      ]);
      expect(detail.totalLag).toBe(25);
      expect(truth).toEqual(
        Object.fromEntries(
          detail.partitions
            .filter(p => !p.neverCommitted)
            .map(p => [`${topic}/${p.partition}`, String(p.lag)]),
        ),
      );
    } finally {
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('marks belowLogStart exactly where the commit is below the log start offset', async () => {
    const kafka = new Kafka({
      clientId: 'kafka-lag-test',
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const name = `kafka-lag-log-start-${Date.now()}`;
    const group = `${name}-group`;
    let topic = name;
    try {
      topic = await createTopicWithMessages(kafka, admin, name, [20, 20, 20]);
      // What retention does to old segments, at once: Kafka deletes the records
      // before these offsets and moves each partition's log start offset there.
      await admin.deleteTopicRecords({
        topic,
        partitions: [
          { partition: 1, offset: '15' },
          { partition: 2, offset: '10' },
        ],
      });
      const starts = await admin.fetchTopicOffsets(topic);
      expect(
        starts
          .sort((a, b) => a.partition - b.partition)
          .map(s => Number(s.low)),
      ).toEqual([0, 15, 10]);
      // Partition 1's commit points at deleted records; partition 2's is exactly at
      // the log start (its next record still exists).
      const commits = { 0: 5, 1: 5, 2: 10 };
      await commitOffsets(admin, group, topic, commits);

      const { service } = await createService([
        { name: 'platform-kafka', brokers: env.kafkaBrokers },
      ]);
      const detail = await sampleUntilCommitted(service, group, commits);
      expect(
        detail.partitions.map(p => ({
          partition: p.partition,
          logStartOffset: p.logStartOffset,
          committedOffset: p.committedOffset,
          belowLogStart: p.belowLogStart,
          lag: p.lag,
        })),
      ).toEqual([
        {
          partition: 0,
          logStartOffset: 0,
          committedOffset: 5,
          belowLogStart: false,
          lag: 15,
        },
        {
          partition: 1,
          logStartOffset: 15,
          committedOffset: 5,
          belowLogStart: true,
          lag: 15,
        },
        {
          partition: 2,
          logStartOffset: 10,
          committedOffset: 10,
          belowLogStart: false,
          lag: 10,
        },
      ]);
      // Lag still counts from the commit, as Kafka's own tool does.
      expect(await toolLag(group)).toEqual({
        [`${topic}/0`]: '15',
        [`${topic}/1`]: '15',
        [`${topic}/2`]: '10',
      });
    } finally {
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });

  it('keeps sampling with one broker stopped, and a dead cluster hides no other', async () => {
    const { service } = await createService([
      { name: 'platform-kafka', brokers: env.kafkaBrokers },
      // Nothing listens here: every sampling of this cluster fails.
      { name: 'unreachable', brokers: ['127.0.0.1:1'] },
    ]);
    await service.sample('platform-kafka');
    await run(env.cli, ['kafka', 'stop-broker', '2']);
    try {
      await service.sample('platform-kafka');
      await service.sample('unreachable');
    } finally {
      await run(env.cli, ['kafka', 'start-broker', '2']);
    }
    const clusters = await service.listClusters();
    const healthy = clusters.find(c => c.name === 'platform-kafka')!;
    expect(healthy.error).toBeUndefined();
    expect(healthy.stale).toBe(false);
    expect(healthy.groups.map(g => g.group)).toEqual(
      expect.arrayContaining(['webapp-consumer', 'llm-ingestors']),
    );
    const dead = clusters.find(c => c.name === 'unreachable')!;
    expect(dead.stale).toBe(true);
    expect(dead.error).toBeTruthy();
    await expect(
      service.getGroup({ cluster: 'unreachable', group: 'x' }, 3600),
    ).rejects.toThrow(/has not been sampled yet.*kafka\.clusters/);
  });
});
