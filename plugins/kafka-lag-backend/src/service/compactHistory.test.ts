/*
 * The compact history against the sandbox's real Kafka (scripts/sandbox up kafka): a topic
 * and a group of the test's own, messages produced and offsets committed step by step, one
 * sampling per step with a status window of 2 (so the committed offsets of all but the last
 * two samples are compacted away). Then a second service reads only the database: its lag
 * over time must be exactly the log-end minus committed offsets produced here, its last
 * figures ConsumerGroupCommand's, and the database must hold the commits of two samples.
 */
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Kafka, logLevel } from 'kafkajs';
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

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const env = sandboxEnv();
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const CLUSTER = 'platform-kafka';
const config = {
  clusters: [
    {
      name: CLUSTER,
      kafka: { clientId: 'kafka-lag-test', brokers: env.kafkaBrokers },
    },
  ],
  sampleIntervalSeconds: 2,
  sampleTimeoutSeconds: 60,
  statusWindow: 2,
  snapshotRetentionMs: 3_600_000,
  historyRetentionMs: 3_600_000,
};

describe('compact history against the sandbox', () => {
  it('gives lag over time equal to the log-end minus committed offsets produced, after compaction', async () => {
    const kafka = new Kafka({
      clientId: 'kafka-lag-test',
      brokers: env.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    const topic = `kafka-lag-compact-${Date.now()}`;
    const group = `${topic}-group`;
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseLagStore.create(
      mockServices.database({ knex, migrations: { skip: false } }),
    );
    const service = await DefaultKafkaLagService.create({
      config,
      store,
      logger: mockServices.logger.mock(),
    });
    try {
      await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
      await retrying(async () => {
        const m = await admin.fetchTopicMetadata({ topics: [topic] });
        if (m.topics[0].partitions.some(p => p.leader < 0)) {
          throw Object.assign(new Error('partitions without a leader yet'), {
            retriable: true,
          });
        }
      });
      await producer.connect();

      const ends = [0, 0, 0];
      /** The total lag at each step, from what this test produced and committed. */
      const expected: number[] = [];
      /** The history's length right after each step's last sampling. */
      const points: number[] = [];
      for (let step = 0; step < 5; step++) {
        // Partition p gets 3 + p messages per step; the group commits behind by step, step
        // + 1, ... on partitions 0 and 1 and never on partition 2.
        const produced = [3, 4, 5];
        await producer.send({
          topic,
          acks: -1,
          messages: produced.flatMap((n, partition) =>
            Array.from({ length: n }, (_, i) => ({
              partition,
              value: `s${step}-p${partition}-${i}`,
            })),
          ),
        });
        produced.forEach((n, p) => (ends[p] += n));
        const commits = {
          0: ends[0] - step,
          1: Math.max(0, ends[1] - 2 * step),
        };
        await commitGroupOffsets(admin, {
          groupId: group,
          topic,
          partitions: Object.entries(commits).map(([partition, offset]) => ({
            partition: Number(partition),
            offset: String(offset),
          })),
        });
        expected.push(ends[0] - commits[0] + (ends[1] - commits[1]));
        // Sample until the service sees this step's commits and ends.
        let seen = false;
        for (let i = 0; i < 30 && !seen; i++) {
          await service.sample(CLUSTER);
          const detail = await service
            .getGroup({ cluster: CLUSTER, group }, 3600)
            .catch(() => undefined);
          seen =
            detail?.partitions
              .map(p => [p.endOffset, p.committedOffset])
              .join() ===
            [
              [ends[0], commits[0]],
              [ends[1], commits[1]],
              [ends[2], null],
            ].join();
          if (seen) points.push(detail!.history.length);
          else await sleep(500);
        }
        expect(seen).toBe(true);
      }

      // The commits of the last two samples only are left in the database.
      const groupSamples = await knex('kafka_lag_group_offsets')
        .where({ cluster: CLUSTER, group_id: group })
        .count({ n: '*' });
      expect(Number(groupSamples[0].n)).toBe(2);

      // A replica that reads only the database.
      const replica = await DefaultKafkaLagService.create({
        config,
        store: await DatabaseLagStore.create(
          mockServices.database({ knex, migrations: { skip: true } }),
        ),
        logger: mockServices.logger.mock(),
      });
      const detail = await replica.getGroup({ cluster: CLUSTER, group }, 3600);
      expect(points.map(n => detail.history[n - 1].totalLag)).toEqual(expected);
      expect(detail.totalLag).toBe(expected[expected.length - 1]);
      // Every message of partition 0 is 3 per step; the group is `step` behind there:
      // its oldest unread message was written within the samples kept, so it has seconds.
      expect(detail.partitions[0].lagSeconds).not.toBeNull();
      expect(detail.partitions[2]).toMatchObject({
        neverCommitted: true,
        lag: null,
      });
      expect(detail).toEqual(
        await service.getGroup({ cluster: CLUSTER, group }, 3600),
      );
      // And the last figures are Kafka's own tool's.
      const truth = await consumerGroupCommandLag(group);
      expect(
        Object.fromEntries(
          [...truth].filter(([key]) => key.startsWith(`${group}/`)),
        ),
      ).toEqual({
        [`${group}/${topic}/0`]: String(detail.partitions[0].lag),
        [`${group}/${topic}/1`]: String(detail.partitions[1].lag),
      });
    } finally {
      await service.close();
      await producer.disconnect().catch(() => {});
      await admin.deleteGroups([group]).catch(() => {});
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    }
  });
});
