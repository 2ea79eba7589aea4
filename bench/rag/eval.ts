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
 * asks every question of questions.yaml in three modes (vector only, full text only, hybrid
 * with reciprocal rank fusion) through the plugin's Retriever, and reports per mode:
 * - recall@5: share of questions with an expected source among the first 5 distinct sources;
 * - MRR: mean of 1 / rank of the first expected source (0 when none is retrieved);
 * - cited: share of answers whose citations include an expected source (the first
 *   `ragChat.retrieval.passages` passages sent to the chat model, its [n] citations read back);
 * - nothing found: questions where no passage passed the relevance threshold.
 * Questions that miss in hybrid mode are listed, to improve docs or the question set.
 */
import { ConfigReader } from '@backstage/config';
import { citedPassages } from '@internal/plugin-rag-chat-common';
import pg from 'pg';
import { readRagChatConfig } from '../../plugins/rag-chat-backend/src/config';
import { Indexer } from '../../plugins/rag-chat-backend/src/indexing/Indexer';
import {
  ChatClient,
  EmbeddingsClient,
} from '../../plugins/rag-chat-backend/src/model/openai';
import { Retriever } from '../../plugins/rag-chat-backend/src/service/Retriever';
import { buildMessages } from '../../plugins/rag-chat-backend/src/service/prompt';
import { ChunkStore } from '../../plugins/rag-chat-backend/src/store/ChunkStore';
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

    // Ranking depth for MRR: more passages than an answer gets.
    const retriever = new Retriever({
      store,
      embeddings,
      retrieval: { ...config.retrieval, passages: 20 },
    });
    const chat = new ChatClient(config.chat!);
    const access = {
      readableEntityRefs: entities.map(
        e =>
          `${e.kind.toLowerCase()}:${e.metadata.namespace ?? 'default'}/${
            e.metadata.name
          }`,
      ),
      principalRefs: ['user:default/guest'],
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
        const { passages } = await retriever.retrieve(q, access, mode);
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
