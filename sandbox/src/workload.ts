/*
 * The sandbox's Kafka workload, modelled on the platform (see catalog/components.yaml):
 *
 * - topics raw-events (12 partitions), enriched-events (6), github-releases (3), RF 3;
 * - a producer: raw-events at a steady rate with a burst every BURST_EVERY_MS,
 *   a GitHub release now and then;
 * - webapp-consumer keeps up with raw-events and inserts what it reads into the
 *   platform database (when PLATFORM_DATABASE_URL is set);
 * - llm-ingestors reads raw-events slower than the producer writes (its lag grows)
 *   and writes enriched-events; it also reads github-releases and embeds each release's
 *   notes (through the sandbox model server, MODEL_URL) into the ingestors' pgvector
 *   table (INGESTOR_DATABASE_URL), one row per release, which the portal's chat indexes
 *   (ragChat.sources.ingestorEmbeddings);
 * - release-notifier consumed github-releases once, committed, and stopped;
 * - release-archiver has commits on partitions 0 and 1 of github-releases, never on 2.
 *
 * Run by `scripts/sandbox up workload`: node workload.ts (Node 22 strips the types).
 * Environment: KAFKA_BROKERS (comma-separated), PLATFORM_DATABASE_URL (optional),
 * INGESTOR_DATABASE_URL and MODEL_URL (optional, both: the ingestors' embeddings).
 */
import kafkajs from 'kafkajs';
import type { Admin, Consumer, Kafka as KafkaClient, Producer } from 'kafkajs';
import pg from 'pg';
import { EMBEDDING_DIMENSIONS, VECTOR_SCHEMA_SQL } from './vector-schema.ts';

const { Kafka, logLevel } = kafkajs;

export const WORKLOAD_TOPICS = [
  { topic: 'raw-events', numPartitions: 12 },
  { topic: 'enriched-events', numPartitions: 6 },
  { topic: 'github-releases', numPartitions: 3 },
];

export const WORKLOAD_GROUPS = {
  keepsUp: 'webapp-consumer',
  fallsBehind: 'llm-ingestors',
  stopped: 'release-notifier',
  partlyCommitted: 'release-archiver',
};

const RAW_EVENTS_PER_SECOND = 20;
const BURST_SIZE = 300;
const BURST_EVERY_MS = 45_000;
// ~10 messages/s in all (three partitions at a time, one per broker, 300 ms a
// message): slower than the producer. Small fetches (a few messages per
// partition) make every partition advance at each round.
const INGESTOR_MS_PER_MESSAGE = 300;
const INGESTOR_MESSAGES_PER_ROUND = 2;
const RELEASE_EVERY_MS = 10_000;
const SEED_RELEASES = 6;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const log = (message: string) =>
  process.stdout.write(`${new Date().toISOString()} ${message}\n`);

/**
 * Creates topics with replication factor 3; an existing topic is left as it is.
 * Right after start, createTopics may reject although the topic was created, so it
 * checks what exists before each try.
 */
export async function ensureTopics(
  admin: Admin,
  topics: { topic: string; numPartitions: number }[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter(t => !existing.has(t.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(t => ({ ...t, replicationFactor: 3 })),
      });
    } catch (error) {
      if (attempt >= 5) throw error;
      await sleep(1000);
    }
  }
}

function rawEvent(i: number) {
  const sources = ['github', 'webhooks', 'crawler', 'uploads'];
  return {
    key: `event-${i}`,
    value: JSON.stringify({
      source: sources[i % sources.length],
      id: `event-${i}`,
      body: `Raw event ${i} from the ingestion pipeline`,
      producedAt: new Date().toISOString(),
    }),
  };
}

/**
 * A producer that survives a broker restart. kafkajs's idempotent producer keeps its producer
 * id and sequence numbers across disconnect/connect, so after a leader moved the broker can
 * answer "out of order sequence number" to every later send of that producer (seen: 60
 * reconnects in a row, then the workload died). A failed send therefore replaces the
 * producer with a new one (a new producer id) and tries again, for about two minutes, as a
 * real producer service would on a loaded machine. Both the producer loop and the
 * ingestors' enrichment share one instance; a replacement in progress is shared too.
 */
export class ResilientProducer {
  private readonly kafka: KafkaClient;
  private producer: Producer;
  private replacing?: Promise<void>;

  // No parameter properties: Node runs this file with type stripping only.
  constructor(kafka: KafkaClient) {
    this.kafka = kafka;
    this.producer = this.create();
  }

  private create() {
    return this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  connect() {
    return this.producer.connect();
  }

  disconnect() {
    return this.producer.disconnect();
  }

  private replace(failed: Producer) {
    if (this.producer !== failed) return Promise.resolve(); // already replaced
    this.replacing ??= (async () => {
      await failed.disconnect().catch(() => undefined);
      const next = this.create();
      await next.connect().catch(() => undefined);
      this.producer = next;
    })().finally(() => {
      this.replacing = undefined;
    });
    return this.replacing;
  }

  async send(record: Parameters<Producer['send']>[0]) {
    for (let attempt = 1; ; attempt++) {
      const producer = this.producer;
      try {
        await producer.send(record);
        return;
      } catch (error) {
        if (attempt >= 60) throw error;
        log(
          `producer: ${
            (error as Error).message
          }; replacing the producer (attempt ${attempt})`,
        );
        await sleep(Math.min(2000, 250 * attempt));
        await this.replace(producer);
      }
    }
  }
}

async function produce(producer: ResilientProducer, stopped: () => boolean) {
  let i = 0;
  let lastBurst = Date.now();
  let lastRelease = 0;
  let release = 0;
  while (!stopped()) {
    const tick = Date.now();
    const burst = tick - lastBurst >= BURST_EVERY_MS;
    const count = burst ? BURST_SIZE : RAW_EVENTS_PER_SECOND;
    if (burst) lastBurst = tick;
    // A burst goes out as several ordinary sends, so that no record batch is huge.
    for (let sent = 0; sent < count; sent += RAW_EVENTS_PER_SECOND) {
      const messages = [];
      for (
        let n = sent;
        n < Math.min(count, sent + RAW_EVENTS_PER_SECOND);
        n++
      ) {
        messages.push(rawEvent(i++));
      }
      await producer.send({ topic: 'raw-events', acks: -1, messages });
    }
    if (tick - lastRelease >= RELEASE_EVERY_MS) {
      lastRelease = tick;
      await producer.send({
        topic: 'github-releases',
        acks: -1,
        messages: [releaseMessage(SEED_RELEASES + release++)],
      });
    }
    await sleep(Math.max(0, 1000 - (Date.now() - tick)));
  }
}

const RELEASE_CHANGES = [
  'retries GitHub API calls that hit the rate limit with exponential backoff',
  'adds a readiness probe that waits for the Kafka producer to connect',
  'batches inserts into the raw-data database, halving write latency',
  'pins the embedding model to all-MiniLM-L6-v2 and records it with each row',
  'drops events larger than 1 MB with a warning instead of failing the batch',
  'exports consumer lag per partition as a Prometheus metric',
  'moves the web UI search to the pgvector HNSW index',
];

/** A GitHub release as the operator's producer Jobs publish it: repository, tag, notes. */
export function releaseMessage(
  n: number,
  override: { repository?: string; tag?: string; notes?: string } = {},
) {
  const repository =
    override.repository ??
    ['platform/operator', 'platform/webapp', 'platform/ingestors'][n % 3];
  const tag = override.tag ?? `v1.${n}.0`;
  const notes =
    override.notes ??
    `${repository} ${tag} ${RELEASE_CHANGES[n % RELEASE_CHANGES.length]}.`;
  return {
    key: `${repository}@${tag}`,
    value: JSON.stringify({
      repository,
      tag,
      notes,
      publishedAt: new Date().toISOString(),
    }),
  };
}

/** The ingestors' row of a release: its source ref in the embeddings table, and the text embedded. */
export function releaseRow(release: {
  repository: string;
  tag: string;
  notes?: string;
  publishedAt?: string;
}) {
  return {
    sourceRef: `release/${release.repository}@${release.tag}`,
    content: `Release ${release.tag} of ${release.repository}${
      release.publishedAt ? `, published ${release.publishedAt}` : ''
    }: ${release.notes ?? 'no release notes'}`,
  };
}

/**
 * What the ingestors write embeddings with: the sandbox model server's OpenAI-compatible
 * /v1/embeddings, and the pgvector table of vector-schema.ts (created here if missing).
 */
class ReleaseEmbedder {
  private readonly db: pg.Pool;
  private readonly modelUrl: string;
  private schemaReady = false;

  constructor(databaseUrl: string, modelUrl: string) {
    this.db = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    this.modelUrl = modelUrl.replace(/\/+$/, '');
  }

  async store(sourceRef: string, content: string) {
    const res = await fetch(`${this.modelUrl}/embeddings`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ model: 'all-MiniLM-L6-v2', input: [content] }),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok) {
      throw new Error(`the model server answered ${res.status} to /embeddings`);
    }
    const body = (await res.json()) as { data: Array<{ embedding: number[] }> };
    const embedding = body.data[0]?.embedding;
    if (embedding?.length !== EMBEDDING_DIMENSIONS) {
      throw new Error(
        `the model server gave ${embedding?.length} dimensions, not ${EMBEDDING_DIMENSIONS}`,
      );
    }
    if (!this.schemaReady) {
      await this.db.query(VECTOR_SCHEMA_SQL);
      this.schemaReady = true;
    }
    await this.db.query(
      `INSERT INTO ingestor_embeddings (source_ref, chunk_index, content, embedding)
       VALUES ($1, 0, $2, $3::vector)
       ON CONFLICT (source_ref, chunk_index)
       DO UPDATE SET content = EXCLUDED.content, embedding = EXCLUDED.embedding, created_at = now()`,
      [sourceRef, content, JSON.stringify(embedding)],
    );
  }

  end() {
    return this.db.end();
  }
}

/**
 * Retries a call while the cluster is still settling: the first group calls on a new
 * cluster fail with "not coordinator" while __consumer_offsets is being created, and the
 * first offset reads with "not the leader" while leaders are elected.
 */
export async function retrying<T>(
  fn: () => Promise<T>,
  attempts = 20,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (
        attempt >= attempts ||
        !(error as { retriable?: boolean }).retriable
      ) {
        throw error;
      }
      await sleep(500 * Math.min(attempt, 6));
    }
  }
}

/**
 * Commits offsets for a group with no running member (what `kafka-consumer-groups
 * --reset-offsets --execute` does) and returns once the group coordinator holds every one.
 *
 * kafkajs' `admin.setOffsets` commits through a consumer that joins the group, seeks and
 * stops at its first fetch. When that consumer joins before the group's coordinator knows
 * a new topic's partitions, it is assigned none, commits nothing and still resolves: the
 * group is left without offsets (an intermittent CI failure of the autoscaling test). So
 * the commits are read back, and made again until they are there (at most `timeoutMs`).
 */
export async function commitGroupOffsets(
  admin: Admin,
  commit: {
    groupId: string;
    topic: string;
    partitions: { partition: number; offset: string }[];
  },
  timeoutMs = 60_000,
): Promise<void> {
  const { groupId, topic, partitions } = commit;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await retrying(() => admin.setOffsets({ groupId, topic, partitions }));
    const [read] = await retrying(() =>
      admin.fetchOffsets({ groupId, topics: [topic] }),
    );
    const held = new Map(read?.partitions.map(p => [p.partition, p.offset]));
    if (partitions.every(p => held.get(p.partition) === p.offset)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `commitGroupOffsets: group ${groupId} does not hold ${JSON.stringify(
          partitions,
        )} on ${topic} after ${timeoutMs} ms; it holds ${JSON.stringify(read)}`,
      );
    }
    await sleep(1000);
  }
}

async function hasCommits(admin: Admin, groupId: string): Promise<boolean> {
  const offsets = await retrying(() =>
    admin.fetchOffsets({ groupId, topics: ['github-releases'] }),
  );
  return offsets.some(t => t.partitions.some(p => p.offset !== '-1'));
}

/** release-notifier: reads what is there once, commits, and stops for good. */
async function consumeReleasesOnce(kafka: KafkaClient, admin: Admin) {
  if (await hasCommits(admin, WORKLOAD_GROUPS.stopped)) return;
  const consumer = kafka.consumer({ groupId: WORKLOAD_GROUPS.stopped });
  await consumer.connect();
  await consumer.subscribe({ topic: 'github-releases', fromBeginning: true });
  let seen = 0;
  const done = new Promise<void>(resolve => {
    consumer.run({
      eachMessage: async () => {
        seen += 1;
        if (seen >= SEED_RELEASES) resolve();
      },
    });
  });
  await Promise.race([done, sleep(60_000)]);
  await consumer.commitOffsets([]); // flush what autoCommit holds
  await consumer.disconnect();
  log(`release-notifier consumed ${seen} releases, committed, stopped`);
}

/** release-archiver: commits on partitions 0 and 1 only; partition 2 never. */
async function commitTwoOfThreePartitions(admin: Admin) {
  if (await hasCommits(admin, WORKLOAD_GROUPS.partlyCommitted)) return;
  const ends = await retrying(() => admin.fetchTopicOffsets('github-releases'));
  await commitGroupOffsets(admin, {
    groupId: WORKLOAD_GROUPS.partlyCommitted,
    topic: 'github-releases',
    partitions: ends
      .filter(p => p.partition !== 2)
      .map(p => ({ partition: p.partition, offset: p.low })),
  });
}

async function startWebappConsumer(
  kafka: KafkaClient,
  db: pg.Pool | undefined,
): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: WORKLOAD_GROUPS.keepsUp });
  await consumer.connect();
  await consumer.subscribe({ topic: 'raw-events', fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      if (!db || batch.messages.length === 0) return;
      const rows = batch.messages.map(m => {
        const event = JSON.parse(m.value?.toString() ?? '{}');
        return [
          batch.topic,
          batch.partition,
          m.offset,
          event.source ?? 'unknown',
          m.key?.toString() ?? null,
          JSON.stringify(event),
          event.producedAt ?? new Date().toISOString(),
        ];
      });
      const values = rows
        .map(
          (_, r) =>
            `(${Array.from({ length: 7 }, (__, c) => `$${r * 7 + c + 1}`).join(
              ',',
            )})`,
        )
        .join(',');
      await db.query(
        `INSERT INTO raw_events (topic, partition, "offset", source, event_key, payload, produced_at)
         VALUES ${values} ON CONFLICT DO NOTHING`,
        rows.flat(),
      );
    },
  });
  return consumer;
}

/**
 * A release's notes embedded and stored, and the enriched release sent on. Until both
 * worked (the model server or the database not up yet) the release stays unresolved, so
 * the next fetch brings it again: nothing is lost, and the wait costs only this partition.
 */
async function ingestRelease(
  message: { key: Buffer | null; value: Buffer | null },
  embedder: ReleaseEmbedder | undefined,
  producer: ResilientProducer,
): Promise<void> {
  const release = JSON.parse(message.value?.toString() ?? '{}');
  if (!release.repository || !release.tag) return; // not a release: nothing to embed
  const row = releaseRow(release);
  await embedder?.store(row.sourceRef, row.content);
  await producer.send({
    topic: 'enriched-events',
    acks: -1,
    messages: [
      {
        key: message.key,
        value: JSON.stringify({ id: row.sourceRef, summary: row.content }),
      },
    ],
  });
}

async function startIngestors(
  kafka: KafkaClient,
  producer: ResilientProducer,
  embedder: ReleaseEmbedder | undefined,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: WORKLOAD_GROUPS.fallsBehind,
    maxBytesPerPartition: 512,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: 'raw-events', fromBeginning: true });
  await consumer.subscribe({ topic: 'github-releases', fromBeginning: true });
  let lastFailure = 0;
  await consumer.run({
    // Commit every second, as a real slow consumer would.
    autoCommitInterval: 1000,
    // A few messages of each partition per fetch round (the rest is fetched again):
    // every partition advances steadily, none waits behind another's batch.
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({
      batch,
      resolveOffset,
      heartbeat,
      isRunning,
      isStale,
    }) => {
      if (batch.topic === 'github-releases') {
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          try {
            await ingestRelease(message, embedder, producer);
          } catch (error) {
            if (Date.now() - lastFailure > 30_000) {
              log(
                `llm-ingestors: release at offset ${
                  message.offset
                } not embedded yet (${(error as Error).message}); trying again`,
              );
              lastFailure = Date.now();
            }
            await sleep(2000);
            break;
          }
          resolveOffset(message.offset);
        }
        await heartbeat();
        return;
      }
      for (const message of batch.messages.slice(
        0,
        INGESTOR_MESSAGES_PER_ROUND,
      )) {
        if (!isRunning() || isStale()) break;
        await sleep(INGESTOR_MS_PER_MESSAGE); // the "LLM" is slow
        const event = JSON.parse(message.value?.toString() ?? '{}');
        await producer.send({
          topic: 'enriched-events',
          acks: -1,
          messages: [
            {
              key: message.key,
              value: JSON.stringify({
                id: event.id,
                summary: `summary of ${event.id}`,
              }),
            },
          ],
        });
        resolveOffset(message.offset);
      }
      await heartbeat();
    },
  });
  return consumer;
}

async function main() {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const kafka = new Kafka({
    clientId: 'sandbox-workload',
    brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 10 },
  });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, WORKLOAD_TOPICS);

  const producer = new ResilientProducer(kafka);
  await producer.connect();
  // Right after the brokers start, the partitions' leaders may still move ("not the
  // leader for that topic-partition", retriable): a fresh CI run's workload died on it.
  const offsets = await retrying(() =>
    admin.fetchTopicOffsets('github-releases'),
  );
  if (offsets.every(p => p.high === '0')) {
    await producer.send({
      topic: 'github-releases',
      acks: -1,
      messages: Array.from({ length: SEED_RELEASES }, (_, n) =>
        releaseMessage(n),
      ),
    });
  }
  await consumeReleasesOnce(kafka, admin);
  await commitTwoOfThreePartitions(admin);

  const url = process.env.PLATFORM_DATABASE_URL;
  const db = url ? new pg.Pool({ connectionString: url, max: 2 }) : undefined;
  const ingestorDb = process.env.INGESTOR_DATABASE_URL;
  const modelUrl = process.env.MODEL_URL;
  const embedder =
    ingestorDb && modelUrl
      ? new ReleaseEmbedder(ingestorDb, modelUrl)
      : undefined;
  if (!embedder) {
    log(
      'llm-ingestors: INGESTOR_DATABASE_URL or MODEL_URL unset, releases are not embedded',
    );
  }
  const consumers = [
    await startWebappConsumer(kafka, db),
    await startIngestors(kafka, producer, embedder),
  ];

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('workload stopping');
    await Promise.allSettled(consumers.map(c => c.disconnect()));
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    await db?.end();
    await embedder?.end();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  log(`workload running against ${brokers.join(',')}`);
  await produce(producer, () => stopping);
}

// Run as a script (node workload.ts), not when imported by a test.
if (process.argv[1]?.endsWith('workload.ts')) {
  main().catch(error => {
    log(`workload failed: ${error?.stack ?? error}`);
    process.exit(1);
  });
}
