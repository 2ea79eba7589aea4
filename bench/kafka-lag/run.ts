/*
 * Kafka lag sampler benchmark, against the sandbox's three brokers.
 *
 *   scripts/sandbox up kafka && eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/kafka-lag/run.ts [groups] [partitions]
 *
 * Seeds <groups> consumer groups (default 20) with commits on every partition of a
 * topic of <partitions> partitions (default 120), then times:
 * - the plugin's KafkaSampler.snapshot(): one refresh of every group of the cluster
 *   through one long-lived admin connection;
 * - a per-view baseline: what a backend that answers each group on request does
 *   (new admin client, group offsets, topic offsets, disconnect), once per group.
 * Kafka requests are counted with kafkajs's request instrumentation events.
 */
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSampler } from '@internal/plugin-kafka-lag-backend';

const brokers = (process.env.SANDBOX_KAFKA_BROKERS ?? '127.0.0.1:19092').split(
  ',',
);
const groups = Number(process.argv[2] ?? 20);
const partitions = Number(process.argv[3] ?? 120);
const topic = `bench-lag-${partitions}`;
const groupIds = Array.from(
  { length: groups },
  (_, i) => `bench-lag-group-${i}`,
);

const kafka = new Kafka({
  clientId: 'bench',
  brokers,
  logLevel: logLevel.NOTHING,
});
const silentLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
} as any;

let requests = 0;
function counted(admin: ReturnType<Kafka['admin']>) {
  admin.on(admin.events.REQUEST, () => {
    requests++;
  });
  return admin;
}

async function seed() {
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }],
    });
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: partitions * 10 }, (_, i) => ({
        key: `k${i}`,
        value: 'x',
      })),
    });
    await producer.disconnect();
  }
  const existing = new Set(
    (await admin.listGroups()).groups.map(g => g.groupId),
  );
  const missing = groupIds.filter(g => !existing.has(g));
  // Different groups at once; the same group concurrently fails (rebalance).
  for (let i = 0; i < missing.length; i += 10) {
    await Promise.all(
      missing.slice(i, i + 10).map(groupId =>
        admin.setOffsets({
          groupId,
          topic,
          partitions: Array.from({ length: partitions }, (_, p) => ({
            partition: p,
            offset: String(p % 5),
          })),
        }),
      ),
    );
  }
  await admin.disconnect();
}

async function perViewBaseline() {
  for (const groupId of groupIds) {
    const admin = counted(kafka.admin());
    await admin.connect();
    await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
  }
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const pick = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `p50 ${pick(0.5).toFixed(0)} ms, p95 ${pick(0.95).toFixed(0)} ms`;
}

async function main() {
  const t0 = Date.now();
  await seed();
  console.log(
    `seeded ${groups} groups x ${partitions} partitions in ${
      Date.now() - t0
    } ms`,
  );

  const sampler = new KafkaSampler(
    { name: 'bench', kafka: { clientId: 'bench', brokers } },
    silentLogger,
  );
  // The sampler's admin client is private: count its requests through the instrumentation
  // of a snapshot's own client by wrapping Kafka's admin factory.
  const originalAdmin = Kafka.prototype.admin;
  Kafka.prototype.admin = function admin(this: Kafka, ...args: any[]) {
    return counted(originalAdmin.apply(this, args as any));
  };
  await sampler.snapshot(); // warm-up: connect, metadata
  const times: number[] = [];
  let perRefresh = 0;
  for (let i = 0; i < 10; i++) {
    requests = 0;
    const start = Date.now();
    const snapshot = await sampler.snapshot();
    times.push(Date.now() - start);
    perRefresh = requests;
    if (snapshot.groups.length < groups)
      throw new Error('groups missing from the snapshot');
  }
  await sampler.close();
  console.log(
    `sampler refresh (all groups of the cluster): ${stats(
      times,
    )}; ${perRefresh} Kafka requests per refresh`,
  );

  const baseline: number[] = [];
  let baselineRequests = 0;
  for (let i = 0; i < 3; i++) {
    requests = 0;
    const start = Date.now();
    await perViewBaseline();
    baseline.push(Date.now() - start);
    baselineRequests = requests;
  }
  Kafka.prototype.admin = originalAdmin;
  console.log(
    `per-view baseline (one admin client per group, ${groups} groups one after another): ${stats(
      baseline,
    )}; ${baselineRequests} Kafka requests`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
