/*
 * RAG chat retrieval quality on this repository's own content, against the sandbox's
 * vector store (PGlite + pgvector) and model server (all-MiniLM-L6-v2 embeddings; the
 * chat stand-in that quotes and cites passages).
 *
 *   scripts/sandbox up vector model && eval "$(scripts/sandbox env)"
 *   yarn sucrase-node bench/rag/eval.ts
 *
 * Indexes the catalog (catalog-info.yaml, catalog/, templates/) and the docs the portal
 * indexes, with the plugin's own Indexer into a schema of its own (dropped at the end), then
 * asks every question of questions.yaml in three modes and reports per mode:
 * - hybrid: the plugin's Retriever as the portal runs it (vector and full-text search fused
 *   by reciprocal rank);
 * - lexical: the same Retriever with no embeddings endpoint, as the portal runs without
 *   ragChat.embeddings (full text only);
 * - vector: ChunkStore.vectorSearch alone, kept by the same similarity threshold
 *   (ragChat.retrieval.minSimilarity) in the same order (a single ranked list keeps its
 *   order in the fusion);
 * and per mode:
 * - recall@5: share of questions with an expected source among the first 5 distinct sources;
 * - MRR: mean of 1 / rank of the first expected source (0 when none is retrieved);
 * - cited: share of answers whose citations include an expected source (the first
 *   `ragChat.retrieval.passages` passages sent to the chat model, its [n] citations read back);
 * - nothing found: questions where no passage passed the relevance threshold.
 * Questions that miss in hybrid mode are listed, to improve docs or the question set.
 */
import { ConfigReader } from '@backstage/config';
import pg from 'pg';
import {
  AccessFilter,
  ChatClient,
  ChunkStore,
  EmbeddingsClient,
  Indexer,
  RagChatConfig,
  Retriever,
  buildMessages,
  readRagChatConfig,
} from '@internal/plugin-rag-chat-backend';
import { Passage, citedPassages } from '@internal/plugin-rag-chat-common';
import { DOC_PATHS, REPO_ROOT, loadQuestions, loadRepoEntities } from './lib';

const vectorUrl =
  process.env.SANDBOX_VECTOR_URL ??
  'postgres://postgres@127.0.0.1:55433/postgres';
const modelUrl = process.env.SANDBOX_MODEL_URL;
if (!modelUrl) {
  throw new Error(
    'SANDBOX_MODEL_URL is not set: scripts/sandbox up vector model && eval "$(scripts/sandbox env)"',
  );
}

const MODES = ['vector', 'lexical', 'hybrid'] as const;
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
  embeddings: EmbeddingsClient,
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

async function main() {
  const schema = `rag_bench_eval_${Date.now().toString(36)}`;
  const config = readRagChatConfig(
    new ConfigReader({
      ragChat: {
        chat: { baseUrl: modelUrl, model: 'platform-chat' },
        embeddings: {
          baseUrl: modelUrl,
          model: 'all-MiniLM-L6-v2',
          dimensions: 384,
        },
        store: { schema },
        sources: { docs: { root: REPO_ROOT, paths: DOC_PATHS } },
      },
    }),
  );
  const pool = new pg.Pool({ connectionString: vectorUrl, max: 2 });
  const entities = loadRepoEntities();
  try {
    const store = await ChunkStore.create({
      pool,
      schema,
      dimensions: 384,
      efSearch: config.store.efSearch,
    });
    const embeddings = new EmbeddingsClient(config.embeddings!, 384);
    const indexer = new Indexer({
      config,
      store,
      storePool: pool,
      embeddings,
      catalog: { getEntities: async () => ({ items: entities }) } as any,
      auth: { getOwnServiceCredentials: async () => ({}) } as any,
      logger: quiet as any,
    });
    const started = performance.now();
    const run = await indexer.run();
    const chunks = (
      await pool.query(`SELECT count(*)::int AS n FROM "${schema}".chunks`)
    ).rows[0].n;
    console.log(
      `indexed ${run.entity?.added} entities and ${
        run.doc?.added
      } docs (${chunks} chunks) in ${(
        (performance.now() - started) /
        1000
      ).toFixed(1)} s`,
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
    const hybrid = new Retriever({ store, embeddings, retrieval });
    const lexical = new Retriever({ store, retrieval });
    const retrieve = async (
      mode: (typeof MODES)[number],
      q: string,
    ): Promise<Passage[]> => {
      if (mode === 'vector') {
        return vectorOnly(store, embeddings, retrieval, q, access);
      }
      const retriever = mode === 'hybrid' ? hybrid : lexical;
      return (await retriever.retrieve(q, access)).passages;
    };
    const questions = loadQuestions();
    console.log(`${questions.length} questions\n`);
    const rows: string[] = [];
    const misses: string[] = [];
    for (const mode of MODES) {
      let hits5 = 0;
      let rr = 0;
      let cited = 0;
      let nothing = 0;
      for (const { q, expected } of questions) {
        const passages = await retrieve(mode, q);
        const sources = [...new Set(passages.map(p => p.sourceId))];
        const rank = sources.findIndex(s => expected.includes(s)) + 1;
        if (rank > 0 && rank <= 5) hits5++;
        if (rank > 0) rr += 1 / rank;
        else if (mode === 'hybrid') {
          misses.push(
            `${q}\n    expected ${expected.join(' | ')}\n    got ${sources
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
        if (citedSources.some(s => expected.includes(s))) cited++;
      }
      const n = questions.length;
      rows.push(
        `| ${mode.padEnd(7)} | ${(hits5 / n).toFixed(2)} | ${(rr / n).toFixed(
          2,
        )} | ${(cited / n).toFixed(2)} | ${nothing} |`,
      );
    }
    console.log('| mode    | recall@5 | MRR | cited | nothing found |');
    console.log('| ------- | -------- | --- | ----- | ------------- |');
    for (const row of rows) console.log(row);
    if (misses.length) {
      console.log(`\nHybrid misses (${misses.length}):`);
      for (const m of misses) console.log(`- ${m}`);
    }
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
