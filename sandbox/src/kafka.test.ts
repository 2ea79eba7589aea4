/*
 * Integration tests of the sandbox's Kafka: three real brokers started by
 * `scripts/sandbox up kafka workload`. Lag is checked against Kafka's own
 * ConsumerGroupCommand.
 *
 * @sandbox-stops kafka: stops broker 3 and starts it again
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { sandboxEnv } from './env';
import { consumerGroupCommandLag } from './groupCommand';
import { WORKLOAD_GROUPS, ensureTopics, retrying } from './workload';

jest.setTimeout(180_000);

const run = promisify(execFile);
const env = sandboxEnv();
const kafka = new Kafka({
  clientId: 'sandbox-test',
  brokers: env.kafkaBrokers,
  logLevel: logLevel.NOTHING,
  retry: { retries: 10 },
});
const admin = kafka.admin();
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

beforeAll(() => admin.connect());
afterAll(() => admin.disconnect());

async function lagOf(groupId: string, topic: string) {
  const [ends, [committed]] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  return committed.partitions.map(p => {
    const end = ends.find(e => e.partition === p.partition)!;
    return {
      partition: p.partition,
      committed: p.offset,
      lag: p.offset === '-1' ? undefined : Number(end.high) - Number(p.offset),
    };
  });
}

async function produceAndConsume(topic: string, count: number) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: count }, (_, i) => ({
      key: `k${i}`,
      value: `message ${i}`,
    })),
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `${topic}-reader-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`read ${seen.size} of ${count} messages`)),
      60_000,
    );
    consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value!.toString());
        if (seen.size >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return seen.size;
}

describe('sandbox kafka', () => {
  const topic = `sandbox-test-${Date.now()}`;

  it('runs three brokers that lead the partitions of a replicated topic', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map(b => b.nodeId).sort()).toEqual([1, 2, 3]);

    await ensureTopics(admin, [{ topic, numPartitions: 6 }]);
    // A new topic's metadata reaches every broker a moment later (sooner or later on a
    // loaded machine): ask until every partition has its leader.
    const metadata = await retrying(async () => {
      const m = await admin.fetchTopicMetadata({ topics: [topic] });
      if (m.topics[0].partitions.some(p => p.leader < 0)) {
        throw Object.assign(new Error('partitions without a leader yet'), {
          retriable: true,
        });
      }
      return m;
    });
    const partitions = metadata.topics[0].partitions;
    expect(new Set(partitions.map(p => p.leader))).toEqual(new Set([1, 2, 3]));
    expect(partitions.every(p => p.replicas.length === 3)).toBe(true);

    await expect(produceAndConsume(topic, 60)).resolves.toBe(60);
  });

  it('reuses what runs: a second up starts nothing new', async () => {
    const parts = [
      'kafka-1',
      'kafka-2',
      'kafka-3',
      'postgres',
      'vector',
      'workload',
    ];
    // The status lines of the parts asked for (state and pid). Only theirs: the cluster
    // lane of scripts/test.sh restarts Kubernetes meanwhile.
    const lines = async () =>
      (await run(env.cli, ['status'])).stdout
        .split('\n')
        .filter(line => parts.includes(line.split(/ +/)[0]));
    const before = await lines();
    await run(env.cli, ['up', 'kafka', 'postgres', 'vector', 'workload']);
    const after = await lines();
    expect(after).toHaveLength(parts.length);
    expect(after).toEqual(before);
    for (const line of after) expect(line).toMatch(/^\S+ +running +pid \d+/);
  });

  it('keeps producing and consuming with one broker stopped, and the broker rejoins', async () => {
    await run(env.cli, ['kafka', 'stop-broker', '3']);
    try {
      await expect(
        produceAndConsume(topic, 120),
      ).resolves.toBeGreaterThanOrEqual(120);
    } finally {
      await run(env.cli, ['kafka', 'start-broker', '3']);
    }
    for (let i = 0; i < 120; i++) {
      const { brokers } = await admin.describeCluster();
      if (brokers.length === 3) break;
      await sleep(1000);
    }
    const { brokers } = await admin.describeCluster();
    expect(brokers.map(b => b.nodeId).sort()).toEqual([1, 2, 3]);
    await admin.deleteTopics({ topics: [topic] });
    // The workload's producer came through the leader moves: still running, still writing
    // (its idempotent producer once died here on "out of order sequence number").
    const written = async () =>
      (await admin.fetchTopicOffsets('raw-events')).reduce(
        (sum, p) => sum + Number(p.high),
        0,
      );
    const before = await written();
    let after = before;
    for (let i = 0; i < 30 && after <= before; i++) {
      await sleep(1000);
      after = await written();
    }
    expect(after).toBeGreaterThan(before);
    expect((await run(env.cli, ['status'])).stdout).toMatch(
      /^workload +running/m,
    );
  });

  it('gives the workload groups their lag shapes, as ConsumerGroupCommand sees them', async () => {
    const before = await lagOf(WORKLOAD_GROUPS.fallsBehind, 'raw-events');
    const notifierBefore = await lagOf(
      WORKLOAD_GROUPS.stopped,
      'github-releases',
    );
    await sleep(20_000);
    const after = await lagOf(WORKLOAD_GROUPS.fallsBehind, 'raw-events');
    const total = (rows: typeof before) =>
      rows.reduce((sum, r) => sum + (r.lag ?? 0), 0);

    // llm-ingestors consumes slower than the producer writes: its lag grows.
    expect(total(after)).toBeGreaterThan(total(before));

    // webapp-consumer keeps up: far less behind than the ingestors.
    const webapp = await lagOf(WORKLOAD_GROUPS.keepsUp, 'raw-events');
    expect(total(webapp)).toBeLessThan(total(after) / 4);

    // release-notifier committed once and stopped: commits frozen, lag > 0.
    const notifier = await lagOf(WORKLOAD_GROUPS.stopped, 'github-releases');
    expect(notifier.map(p => p.committed)).toEqual(
      notifierBefore.map(p => p.committed),
    );
    expect(total(notifier)).toBeGreaterThan(0);

    // release-archiver never committed on partition 2.
    const archiver = await lagOf(
      WORKLOAD_GROUPS.partlyCommitted,
      'github-releases',
    );
    expect(archiver.find(p => p.partition === 2)?.committed).toBe('-1');
    expect(archiver.filter(p => p.committed !== '-1')).toHaveLength(2);

    // The same figures as Kafka's own tool (the producer keeps writing between the
    // two reads, so compare the frozen groups exactly).
    const truth = await consumerGroupCommandLag();
    const notifierTruth = notifier
      .filter(p => p.committed !== '-1')
      .map(p => ({
        partition: p.partition,
        atLeast: p.lag,
        tool: Number(
          truth.get(
            `${WORKLOAD_GROUPS.stopped}/github-releases/${p.partition}`,
          ),
        ),
      }));
    expect(notifierTruth.length).toBeGreaterThan(0);
    expect(notifierTruth.filter(p => !(p.tool >= p.atLeast!))).toEqual([]);
    expect(
      truth.get(`${WORKLOAD_GROUPS.partlyCommitted}/github-releases/2`) ?? '-',
    ).toBe('-');
  });
});
