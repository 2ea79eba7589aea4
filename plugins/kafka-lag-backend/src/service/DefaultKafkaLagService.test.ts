/*
 * The lag service against the sandbox's three real brokers and its workload
 * (scripts/sandbox up kafka workload), with the plugin's real migrations on SQLite.
 * Kafka's own ConsumerGroupCommand is the ground truth for lag.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { Kafka, logLevel } from 'kafkajs';
import {
  consumerGroupCommandLag,
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

    // The same figures as Kafka's own tool for a group whose offsets do not move.
    await service.sample('platform-kafka');
    const notifier = await service.getGroup(
      { cluster: 'platform-kafka', group: 'release-notifier' },
      3600,
    );
    const truth = await consumerGroupCommandLag('release-notifier');
    const committed = notifier.partitions.filter(p => !p.neverCommitted);
    expect(committed.length).toBeGreaterThan(0);
    for (const p of committed) {
      // The producer may add a release between the two reads, never remove one.
      expect(
        Number(truth.get(`release-notifier/${p.topic}/${p.partition}`)),
      ).toBeGreaterThanOrEqual(p.lag!);
    }

    // History for the charts is in the database.
    const history = await store.loadHistory(
      'platform-kafka',
      'llm-ingestors',
      0,
    );
    expect(history.length).toBe(samples + 1);
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
        retrying(() =>
          admin.setOffsets({
            groupId: group,
            topic,
            partitions: [{ partition: 0, offset }],
          }),
        );
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
