/*
 * Kafka lag refresh: the plugin's sampler vs the community kafka-backend, in one run,
 * against the sandbox's three brokers.
 *
 *   scripts/sandbox up kafka && eval "$(scripts/sandbox env)"
 *   bench/kafka-lag/community/install.sh     # once: the community plugin, for the bench only
 *   yarn sucrase-node bench/kafka-lag/run.ts [groups] [partitions] [rounds]
 *
 * Seeds <groups> consumer groups (default 50) with commits on every partition of a topic of
 * <partitions> partitions (default 1000). Then times:
 * - the plugin's KafkaSampler.snapshot(): one refresh of every group of the cluster, Kafka
 *   requests counted through kafkajs's request instrumentation (KafkaSampler.onRequest);
 * - @backstage-community/plugin-kafka-backend's own router (makeRouter + KafkaJsApiImpl from
 *   its npm tarball, served over HTTP on an ephemeral port): GET
 *   /consumers/:cluster/:group/offsets, what its frontend calls per group, for all groups one
 *   after another and all at once; its requests counted through the instrumentation of every
 *   admin client it creates.
 * The groups and the topic are kept for the next run (seeding 50 x 1000 takes minutes); they
 * show on the sandbox portal's Kafka lag page as 50 stopped groups. BENCH_CLEAN=1 deletes them
 * at the end.
 */
import { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import express from 'express';
import { ConfigReader } from '@backstage/config';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaSampler } from '@internal/plugin-kafka-lag-backend';
import { percentile } from '../lib';

const brokers = (process.env.SANDBOX_KAFKA_BROKERS ?? '127.0.0.1:19092').split(
  ',',
);
const groups = Number(process.argv[2] ?? 50);
const partitions = Number(process.argv[3] ?? 1000);
const rounds = Number(process.argv[4] ?? 20);
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
const silentLogger: any = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

const fmt = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(
    values,
    95,
  ).toFixed(0)} ms`;
const rssMb = () => (process.memoryUsage().rss / 2 ** 20).toFixed(0);

async function seed() {
  const admin = kafka.admin();
  await admin.connect();
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          // 3 on the sandbox; BENCH_REPLICATION=1 for a one-broker Kafka.
          replicationFactor: Number(process.env.BENCH_REPLICATION ?? 3),
        },
      ],
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
  // A group an interrupted seed left with some partitions uncommitted is seeded again.
  const complete = async (groupId: string) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return (
      offsets.partitions.filter(p => p.offset !== '-1').length === partitions
    );
  };
  const missing: string[] = [];
  for (const groupId of groupIds) {
    if (!existing.has(groupId) || !(await complete(groupId)))
      missing.push(groupId);
  }
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

/** The community backend's router, from bench/kafka-lag/community/node_modules. */
async function startCommunity(): Promise<{ url: string; close(): void }> {
  // Its package exports only its plugin: its router and Kafka API by their files.
  const dist = path.join(
    __dirname,
    'community/node_modules/@backstage-community/plugin-kafka-backend/dist',
  );
  const load = createRequire(__filename);
  let router: any;
  let api: any;
  try {
    router = load(path.join(dist, 'service/router.cjs.js'));
    api = load(path.join(dist, 'service/KafkaApi.cjs.js'));
  } catch (error) {
    throw new Error(
      `The community plugin is not installed: run bench/kafka-lag/community/install.sh (${error})`,
    );
  }
  const kafkaApis = [
    {
      name: 'bench',
      api: new api.KafkaJsApiImpl({
        clientId: 'bench-community',
        brokers,
        logger: silentLogger,
        logLevel: logLevel.NOTHING,
      }),
    },
  ];
  const app = express();
  app.use(
    '/api/kafka',
    router.makeRouter(silentLogger, kafkaApis, new ConfigReader({})),
  );
  const server = app.listen(0);
  await new Promise(r => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/kafka`,
    close: () => server.close(),
  };
}

async function main() {
  const t0 = Date.now();
  await seed();
  console.log(
    `seeded ${groups} groups x ${partitions} partitions in ${
      Date.now() - t0
    } ms`,
  );
  const brokerCount = (await (async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect();
    }
  })()) as number;

  // --- the plugin's sampler
  const sampler = new KafkaSampler(
    { name: 'bench', kafka: { clientId: 'bench', brokers } },
    silentLogger,
  );
  let requests = 0;
  sampler.onRequest(() => {
    requests++;
  });
  await sampler.snapshot(); // warm-up: connect
  const times: number[] = [];
  const perRefresh: number[] = [];
  let shape = { groups: 0, topics: 0, partitions: 0 };
  for (let i = 0; i < rounds; i++) {
    requests = 0;
    const start = performance.now();
    const snapshot = await sampler.snapshot();
    times.push(performance.now() - start);
    perRefresh.push(requests);
    // Every seeded group with a commit on every partition (what admin.fetchOffsets saw
    // when seeding), or the refresh is wrong, not just slow.
    const short = groupIds.filter(id => {
      const group = snapshot.groups.find(g => g.group === id);
      return Object.keys(group?.commits[topic] ?? {}).length !== partitions;
    });
    if (short.length > 0) {
      throw new Error(
        `the snapshot lacks commits of ${short.length} seeded groups: ${short
          .slice(0, 5)
          .join(', ')}`,
      );
    }
    shape = {
      groups: snapshot.groups.length,
      topics: Object.keys(snapshot.topics).length,
      partitions: snapshot.groups.reduce(
        (n, g) =>
          n +
          Object.values(g.commits).reduce(
            (m, c) => m + Object.keys(c).length,
            0,
          ),
        0,
      ),
    };
  }
  await sampler.close();
  const budget = shape.groups + brokerCount + shape.topics;
  console.log(
    `plugin sampler, one refresh of the whole cluster (${
      shape.groups
    } groups, ${shape.topics} topics, ${
      shape.partitions
    } committed partitions, ${brokerCount} brokers), ${rounds} rounds: ${fmt(
      times,
    )}; Kafka requests per refresh ${Math.min(...perRefresh)}-${Math.max(
      ...perRefresh,
    )} (budget groups + brokers + topics = ${budget}); bench process RSS ${rssMb()} MB`,
  );

  // --- the community backend, same run
  let adminRequests = 0;
  let admins = 0;
  const originalAdmin = Kafka.prototype.admin;
  Kafka.prototype.admin = function admin(this: Kafka, ...args: any[]) {
    const a = originalAdmin.apply(this, args as any);
    admins++;
    a.on(a.events.REQUEST, () => {
      adminRequests++;
    });
    return a;
  };
  const community = await startCommunity();
  const get = async (groupId: string) => {
    const res = await fetch(
      `${community.url}/consumers/bench/${encodeURIComponent(groupId)}/offsets`,
    );
    if (!res.ok)
      throw new Error(`community ${res.status}: ${await res.text()}`);
    const body = await res.json();
    if (body.offsets.length !== partitions) {
      throw new Error(`community answered ${body.offsets.length} partitions`);
    }
  };
  await get(groupIds[0]); // warm-up
  const perGroup: number[] = [];
  const sequential: number[] = [];
  const concurrent: number[] = [];
  let requestsPerGroup = 0;
  let adminsPerGroup = 0;
  const communityRounds = Math.max(1, Math.min(3, rounds));
  for (let i = 0; i < communityRounds; i++) {
    adminRequests = 0;
    admins = 0;
    const start = performance.now();
    for (const g of groupIds) {
      const s = performance.now();
      await get(g);
      perGroup.push(performance.now() - s);
    }
    sequential.push(performance.now() - start);
    requestsPerGroup = adminRequests / groups;
    adminsPerGroup = admins / groups;
    const startAll = performance.now();
    await Promise.all(groupIds.map(get));
    concurrent.push(performance.now() - startAll);
  }
  community.close();
  Kafka.prototype.admin = originalAdmin;
  console.log(
    `community kafka-backend, GET /consumers/bench/:group/offsets: per group ${fmt(
      perGroup,
    )}; all ${groups} one after another ${fmt(
      sequential,
    )}; all ${groups} at once ${fmt(
      concurrent,
    )} (${communityRounds} rounds); ${requestsPerGroup.toFixed(
      0,
    )} Kafka requests and ${adminsPerGroup.toFixed(
      0,
    )} new admin clients per group (${(requestsPerGroup * groups).toFixed(
      0,
    )} for all groups); bench process RSS ${rssMb()} MB`,
  );
}

/** Deletes the seeded groups and topic when BENCH_CLEAN=1. */
async function cleanUp() {
  if (process.env.BENCH_CLEAN !== '1') {
    console.log(
      `kept ${groups} groups and topic ${topic} for the next run (BENCH_CLEAN=1 deletes them)`,
    );
    return;
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(
      (await admin.listGroups()).groups.map(g => g.groupId),
    );
    const seeded = groupIds.filter(id => existing.has(id));
    if (seeded.length > 0) await admin.deleteGroups(seeded);
    if ((await admin.listTopics()).includes(topic)) {
      await admin.deleteTopics({ topics: [topic] });
    }
    console.log(
      `deleted ${seeded.length} groups and topic ${topic} (BENCH_CLEAN=1)`,
    );
  } finally {
    await admin.disconnect();
  }
}

main()
  .then(cleanUp, async error => {
    console.error(error);
    await cleanUp().catch(e => console.error('cleaning up failed:', e));
    process.exit(1);
  })
  .catch(error => {
    console.error(error);
    process.exit(1);
  });
