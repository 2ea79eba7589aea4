/*
 * RAG chat retrieval quality on this repository's own content, against the sandbox's
 * vector store (PGlite + pgvector) and model server (all-MiniLM-L6-v2 embeddings; the
 * chat stand-in that quotes and cites passages), beside the backend's in-process model.
 *
 *   scripts/sandbox up vector model && eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/rag/eval.ts
 *
 * Indexes the catalog (catalog-info.yaml, catalog/, templates/) and the docs the portal
 * indexes (the EKS definition's Terraform and YAML too), with the plugin's own Indexer, twice:
 * once embedded by the sandbox model server, once by the in-process model (each into a schema of
 * its own, dropped at the end). Then asks every question of two sets, questions.yaml (written
 * from the docs) and paraphrased.yaml (other words than the sources'), in four modes:
 * - lexical: the Retriever with no embeddings, as the portal runs with ragChat.embeddings.inProcess
 *   false (full text only);
 * - vector: ChunkStore.vectorSearch alone, kept by the same similarity threshold
 *   (ragChat.retrieval.minSimilarity) in the same order;
 * - hybrid: the Retriever as the portal runs it with the sandbox model server as
 *   ragChat.embeddings (vector and full-text search fused by reciprocal rank);
 * - in-process: the same with nothing configured (all-MiniLM-L6-v2 in a worker thread);
 * and per set and mode:
 * - recall@5: share of questions with an expected source among the first 5 distinct sources;
 * - MRR: mean of 1 / rank of the first expected source (0 when none is retrieved);
 * - cited: share of answers whose citations include an expected source (the first
 *   `ragChat.retrieval.passages` passages sent to the chat model, its [n] citations read back);
 * - nothing found: questions where no passage passed the relevance threshold;
 * and abstention: the share of paraphrased.yaml's unanswerable questions for which no passage
 * passed the threshold (the portal then says so without asking the model).
 * Questions that miss the top 5 in hybrid mode, and unanswerable ones it found passages for, are listed, to improve docs or the question sets.
 */
import { ConfigReader } from '@backstage/config';
import pg from 'pg';
import {
  AccessFilter,
  ChatClient,
  ChunkStore,
  EmbeddingsClient,
  InProcessEmbeddings,
  Indexer,
  RagChatConfig,
  Retriever,
  TextEmbedder,
  buildMessages,
  readRagChatConfig,
} from '@internal/plugin-rag-chat-backend';
import { Passage, citedPassages } from '@internal/plugin-rag-chat-common';
import {
  DOC_EXTENSIONS,
  DOC_PATHS,
  REPO_ROOT,
  loadQuestions,
  loadRepoEntities,
} from './lib';

const vectorUrl =
  process.env.SANDBOX_VECTOR_URL ??
  'postgres://postgres@127.0.0.1:55433/postgres';
const modelUrl = process.env.SANDBOX_MODEL_URL;
if (!modelUrl) {
  throw new Error(
    'SANDBOX_MODEL_URL is not set: scripts/sandbox up vector model && eval "$(scripts/sandbox env)"',
  );
}

const MODES = ['lexical', 'vector', 'hybrid', 'in-process'] as const;
type Mode = (typeof MODES)[number];
const quiet = {
  debug() {},
  info() {},
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
  child: () => quiet,
};

/**
 * Vector search alone: what the Retriever's vector half finds, by the same threshold, as
 * passages (with one ranked list, reciprocal rank fusion keeps its order).
 */
async function vectorOnly(
  store: ChunkStore,
  embeddings: TextEmbedder,
  retrieval: RagChatConfig['retrieval'],
  query: string,
  access: AccessFilter,
): Promise<Passage[]> {
  const [vector] = await embeddings.embed([query]);
  const hits = (
    await store.vectorSearch(vector, access, retrieval.candidates)
  ).filter(h => h.similarity >= retrieval.minSimilarity);
  const top = hits.slice(0, retrieval.passages);
  const chunks = await store.getChunks(top.map(h => h.id));
  return top
    .flatMap(h => {
      const chunk = chunks.get(h.id);
      return chunk
        ? [{ ...chunk, score: h.similarity, similarity: h.similarity }]
        : [];
    })
    .map((p, i) => ({ ...p, n: i + 1 }));
}

/** Indexes the repository's catalog and docs into a fresh schema, embedded by `embeddings`. */
async function indexInto(
  pool: pg.Pool,
  config: RagChatConfig,
  schema: string,
  embeddings: TextEmbedder,
  entities: ReturnType<typeof loadRepoEntities>,
  label: string,
): Promise<ChunkStore> {
  const store = await ChunkStore.create({
    pool,
    schema,
    dimensions: 384,
    efSearch: config.store.efSearch,
  });
  const indexer = new Indexer({
    config: { ...config, store: { ...config.store, schema } },
    store,
    storePool: pool,
    embeddings,
    catalog: { getEntities: async () => ({ items: entities }) } as any,
    auth: { getOwnServiceCredentials: async () => ({}) } as any,
    logger: quiet as any,
  });
  const started = performance.now();
  const run = await indexer.run();
  const failed = run.entity?.error ?? run.doc?.error;
  if (failed) throw new Error(`indexing (${label}) failed: ${failed}`);
  const chunks = (
    await pool.query(`SELECT count(*)::int AS n FROM "${schema}".chunks`)
  ).rows[0].n;
  console.log(
    `${label}: indexed ${run.entity?.added} entities and ${
      run.doc?.added
    } docs (${chunks} chunks) in ${(
      (performance.now() - started) /
      1000
    ).toFixed(1)} s`,
  );
  return store;
}

async function main() {
  const suffix = Date.now().toString(36);
  const schemas = [
    `rag_bench_eval_${suffix}`,
    `rag_bench_eval_local_${suffix}`,
  ];
  const config = readRagChatConfig(
    new ConfigReader({
      ragChat: {
        chat: { baseUrl: modelUrl, model: 'platform-chat' },
        embeddings: {
          baseUrl: modelUrl,
          model: 'all-MiniLM-L6-v2',
          dimensions: 384,
        },
        store: { schema: schemas[0] },
        sources: {
          docs: {
            root: REPO_ROOT,
            paths: DOC_PATHS,
            extensions: DOC_EXTENSIONS,
          },
        },
      },
    }),
  );
  // What the portal runs with nothing configured.
  const local = readRagChatConfig(new ConfigReader({})).inProcessEmbeddings;
  if (!local || local.missing.length > 0) {
    throw new Error(
      `the in-process model's files are missing from ${local?.modelDir}: scripts/sandbox model fetch`,
    );
  }
  const pool = new pg.Pool({ connectionString: vectorUrl, max: 2 });
  const entities = loadRepoEntities();
  const endpoint = new EmbeddingsClient(config.embeddings!, 384);
  const inProcess = new InProcessEmbeddings(local);
  try {
    const store = await indexInto(
      pool,
      config,
      schemas[0],
      endpoint,
      entities,
      'sandbox model server',
    );
    const localStore = await indexInto(
      pool,
      config,
      schemas[1],
      inProcess,
      entities,
      'in-process model',
    );

    const chat = new ChatClient(config.chat!);
    const access: AccessFilter = {
      readableEntityRefs: entities.map(
        e =>
          `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`,
      ),
      principalRefs: ['user:default/guest'],
    };
    // Ranking depth for MRR: more passages than an answer gets.
    const retrieval = { ...config.retrieval, passages: 20 };
    const retrievers: Record<Exclude<Mode, 'vector'>, Retriever> = {
      lexical: new Retriever({ store, retrieval }),
      hybrid: new Retriever({ store, embeddings: endpoint, retrieval }),
      'in-process': new Retriever({
        store: localStore,
        embeddings: inProcess,
        retrieval,
      }),
    };
    const retrieve = async (mode: Mode, q: string): Promise<Passage[]> => {
      if (mode === 'vector') {
        return vectorOnly(store, endpoint, retrieval, q, access);
      }
      return (await retrievers[mode].retrieve(q, access)).passages;
    };

    const written = loadQuestions('questions');
    const paraphrased = loadQuestions('paraphrased');
    const sets = [
      { name: 'written', ...written },
      { name: 'paraphrased', ...paraphrased },
    ];
    console.log(
      `${written.questions.length} written and ${paraphrased.questions.length} paraphrased questions, ${paraphrased.unanswerable.length} unanswerable\n`,
    );
    const rows: string[] = [];
    const misses: string[] = [];
    for (const set of sets) {
      for (const mode of MODES) {
        let hits5 = 0;
        let rr = 0;
        let cited = 0;
        let nothing = 0;
        for (const { q, expected } of set.questions) {
          const passages = await retrieve(mode, q);
          const sources = [...new Set(passages.map(p => p.sourceId))];
          const rank = sources.findIndex(src => expected.includes(src)) + 1;
          if (rank > 0 && rank <= 5) hits5++;
          if (rank > 0) rr += 1 / rank;
          if (mode === 'hybrid' && (rank === 0 || rank > 5)) {
            misses.push(
              `(${set.name}, ${
                rank ? `rank ${rank}` : 'not retrieved'
              }) ${q}\n    expected ${expected.join(' | ')}\n    got ${sources
                .slice(0, 5)
                .join(', ')}`,
            );
          }
          const shown = passages
            .slice(0, config.retrieval.passages)
            .map((p, i) => ({ ...p, n: i + 1 }));
          if (shown.length === 0) {
            nothing++;
            continue;
          }
          let answer = '';
          for await (const part of chat.stream(
            buildMessages({ question: q, passages: shown, history: [] }),
            AbortSignal.timeout(30_000),
          )) {
            answer += part.delta ?? '';
          }
          const citedSources = citedPassages(answer, shown.length).map(
            n => shown[n - 1].sourceId,
          );
          if (citedSources.some(src => expected.includes(src))) cited++;
        }
        let abstained = 0;
        for (const q of set.unanswerable) {
          const found = await retrieve(mode, q);
          if (found.length === 0) abstained++;
          else if (mode === 'hybrid') {
            misses.push(
              `(unanswerable, answered) ${q}\n    got ${found
                .slice(0, 3)
                .map(
                  p => `${p.sourceId} (similarity ${p.similarity?.toFixed(2)})`,
                )
                .join(', ')}`,
            );
          }
        }
        const n = set.questions.length;
        const abstention = set.unanswerable.length
          ? `${abstained} / ${set.unanswerable.length}`
          : '–';
        rows.push(
          `| ${set.name} | ${mode} | ${(hits5 / n).toFixed(2)} | ${(
            rr / n
          ).toFixed(2)} | ${(cited / n).toFixed(
            2,
          )} | ${nothing} | ${abstention} |`,
        );
      }
    }
    console.log(
      '| set | mode | recall@5 | MRR | cited | nothing found | abstained (unanswerable) |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of rows) console.log(row);
    if (misses.length) {
      console.log(`\nHybrid misses (${misses.length}):`);
      for (const m of misses) console.log(`- ${m}`);
    }
  } finally {
    await inProcess.close();
    for (const schema of schemas) {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
    await pool.end();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
