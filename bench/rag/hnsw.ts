/*
 * The RAG chat's vector search at scale, in the sandbox's vector store (PGlite + pgvector,
 * the portal's embedded default) through the plugin's own ChunkStore (its public export).
 *
 *   scripts/sandbox up vector && eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/rag/hnsw.ts [chunks=100000] [queries=100]
 *
 * Fills a schema of its own (dropped at the end) with <chunks> chunks of 384 dimensions, builds
 * the HNSW index (vector_cosine_ops) and, for <queries> queries, compares the index's top 10
 * (ChunkStore.vectorSearch: hnsw.ef_search, iterative scans) with the exact top 10 (the same
 * query with index scans off, written here) for ef_search 40, 100 (the default) and 200:
 * recall@10 and p50/p95 of both, one query at a time. Twice: an asker who may read every
 * entity, and one who may read 10% of them (the permission filter in the same SQL, where
 * iterative scans matter).
 *
 * The vectors are synthetic but shaped like sentence embeddings (seeded, so every run builds
 * the same data): unit vectors scattered around 1,000 topics, which are themselves grouped in
 * 50 subjects, so that a chunk's cosine similarity is ~0.5 to its own topic's chunks, ~0.2 to
 * its subject's other topics and ~0 elsewhere; each query is a new point near a random topic.
 * Uniform random vectors would be a harsher and less realistic test.
 */
import pg from 'pg';
import { AccessFilter, ChunkStore } from '@internal/plugin-rag-chat-backend';
import { ms, percentile } from '../lib';

const vectorUrl =
  process.env.SANDBOX_VECTOR_URL ??
  'postgres://postgres@127.0.0.1:55433/postgres';
const total = Number(process.argv[2] ?? 100_000);
const queryCount = Number(process.argv[3] ?? 100);
const DIMS = 384;
const SUBJECTS = 50;
const TOPICS = 1000;
const TOPIC_SPREAD = 0.06;
const ENTITIES = 100;
const NOISE = 0.05;

// mulberry32: a small seeded generator, so the data is the same on every run.
let seed = 42;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function gaussian() {
  return (
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  );
}
function normalise(v: number[]) {
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  return v.map(x => x / norm);
}
// Two levels, as in real corpora: 50 subjects, 20 topics in each, chunks around a topic;
// neighbours of a question come from its topic and from related topics of its subject.
const subjects = Array.from({ length: SUBJECTS }, () =>
  normalise(Array.from({ length: DIMS }, gaussian)),
);
const topics = Array.from({ length: TOPICS }, (_, i) =>
  normalise(subjects[i % SUBJECTS].map(x => x + TOPIC_SPREAD * gaussian())),
);
function nearTopic() {
  const topic = topics[Math.floor(random() * TOPICS)];
  return normalise(topic.map(x => x + NOISE * gaussian()));
}
const entityRef = (i: number) => `component:default/bench-${i}`;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

/**
 * The exact top `limit` chunk ids: ChunkStore.vectorSearch's query (its permission filter
 * included) with index scans off, so PostgreSQL compares the query with every chunk. The
 * ground truth for recall.
 */
async function exactSearch(
  pool: pg.Pool,
  schema: string,
  embedding: number[],
  access: AccessFilter,
  limit: number,
): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL enable_indexscan = off');
    const { rows } = await client.query(
      `SELECT id FROM "${schema}".chunks c
        WHERE c.embedding IS NOT NULL
          AND (c.entity_ref IS NULL OR c.entity_ref = ANY($3::text[]))
          AND (c.restricted_to IS NULL OR c.restricted_to = ANY($4::text[]))
        ORDER BY c.embedding <=> $1::vector
        LIMIT $2`,
      [
        `[${embedding.join(',')}]`,
        limit,
        access.readableEntityRefs,
        access.principalRefs,
      ],
    );
    await client.query('COMMIT');
    return rows.map(r => String(r.id));
  } finally {
    client.release();
  }
}

/**
 * Which index PostgreSQL's planner picks for ChunkStore.vectorSearch's query and settings
 * with this filter (a selective filter can make it prefer the entity_ref index, which is
 * exact).
 */
async function plan(store: ChunkStore, access: AccessFilter) {
  const text = (await store.explainVectorSearch(nearTopic(), access, 10)).join(
    '\n',
  );
  return [
    ...text.matchAll(
      /(?:Index Scan using|Index Scan on|Seq Scan on) ([\w.]+)/g,
    ),
  ]
    .map(m => m[0])
    .join(', ');
}

async function main() {
  const schema = `rag_bench_hnsw_${Date.now().toString(36)}`;
  const pool = new pg.Pool({ connectionString: vectorUrl, max: 2 });
  try {
    const store = await ChunkStore.create({
      pool,
      schema,
      dimensions: DIMS,
      efSearch: 100,
    });
    // Load first and build the index once, as a first index run of a large corpus would.
    await pool.query(`DROP INDEX "${schema}".chunks_hnsw`);
    await pool.query(
      `INSERT INTO "${schema}".sources (source_id, kind, title, url, body, content_hash, chunk_count)
       VALUES ('bench', 'doc', 'bench', '', '', '', $1)`,
      [total],
    );
    const [, loadMs] = await timed(async () => {
      for (let i = 0; i < total; i += 1000) {
        const n = Math.min(1000, total - i);
        const indexes = Array.from({ length: n }, (_, k) => i + k);
        await pool.query(
          `INSERT INTO "${schema}".chunks
             (source_id, chunk_index, url, entity_ref, content, content_hash, embedding)
           SELECT 'bench', t.i, '', t.e, '', '', t.v::vector
             FROM unnest($1::int[], $2::text[], $3::text[]) AS t(i, e, v)`,
          [
            indexes,
            indexes.map(k => entityRef(k % ENTITIES)),
            indexes.map(() => `[${nearTopic().join(',')}]`),
          ],
        );
      }
    });
    console.log(
      `loaded ${total} chunks × ${DIMS} dims in ${(loadMs / 1000).toFixed(
        1,
      )} s`,
    );
    const [, buildMs] = await timed(async () => {
      const client = await pool.connect();
      try {
        await client.query(`SET maintenance_work_mem = '1GB'`);
        await client.query(
          `CREATE INDEX chunks_hnsw ON "${schema}".chunks USING hnsw (embedding vector_cosine_ops)`,
        );
      } finally {
        client.release();
      }
    });
    console.log(
      `HNSW index (m 16, ef_construction 64) built in ${(
        buildMs / 1000
      ).toFixed(1)} s`,
    );

    const queries = Array.from({ length: queryCount }, nearTopic);
    const all = Array.from({ length: ENTITIES }, (_, i) => entityRef(i));
    const filters: Record<string, AccessFilter> = {
      'may read every entity': { readableEntityRefs: all, principalRefs: [] },
      'may read 10% of entities': {
        readableEntityRefs: all.slice(0, ENTITIES / 10),
        principalRefs: [],
      },
    };
    console.log(
      '\n| asker | search | ef_search | recall@10 | p50 | p95 | p95 exact / p95 HNSW |',
    );
    console.log(
      '| ----- | ------ | --------- | --------- | --- | --- | ---- |',
    );
    const plans: string[] = [];
    for (const [label, access] of Object.entries(filters)) {
      plans.push(`${label}: ${await plan(store, access)}`);
      const exact: string[][] = [];
      const exactMs: number[] = [];
      for (const q of queries) {
        const [ids, took] = await timed(() =>
          exactSearch(pool, schema, q, access, 10),
        );
        exact.push(ids);
        exactMs.push(took);
      }
      const exactP95 = percentile(exactMs, 95);
      console.log(
        `| ${label} | exact | – | 1.00 | ${ms(percentile(exactMs, 50))} | ${ms(
          exactP95,
        )} | |`,
      );
      for (const efSearch of [40, 100, 200]) {
        const hnsw = await ChunkStore.create({
          pool,
          schema,
          dimensions: DIMS,
          efSearch,
        });
        let found = 0;
        const hnswMs: number[] = [];
        for (const [i, q] of queries.entries()) {
          const [hits, took] = await timed(() =>
            hnsw.vectorSearch(q, access, 10),
          );
          const truth = new Set(exact[i]);
          found += hits.filter(h => truth.has(h.id)).length;
          hnswMs.push(took);
        }
        const p95 = percentile(hnswMs, 95);
        console.log(
          `| ${label} | HNSW | ${efSearch} | ${(
            found /
            (10 * queries.length)
          ).toFixed(3)} | ${ms(percentile(hnswMs, 50))} | ${ms(p95)} | ${(
            exactP95 / p95
          ).toFixed(1)}× |`,
        );
      }
    }
    console.log(`\nPlanner's choice for the HNSW query (ef_search 100):`);
    for (const p of plans) console.log(`- ${p}`);
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
