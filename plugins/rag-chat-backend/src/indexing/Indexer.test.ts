/*
 * Incremental indexing into the sandbox's vector stores (PGlite + pgvector over
 * the wire protocol, scripts/sandbox up vector; PostgreSQL 15 + pgvector, scripts/sandbox
 * up postgres) with real all-MiniLM-L6-v2
 * embeddings from the sandbox model server (scripts/sandbox up model).
 */
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { ConfigReader } from '@backstage/config';
import pg from 'pg';
import { readRagChatConfig } from '../config';
import { EmbeddingsClient } from '../model/openai';
import { ChunkStore } from '../store/ChunkStore';
import {
  DOCS,
  EMBEDDING_MODEL,
  ENTITIES,
  VECTOR_STORES,
  sandboxModelUrl,
  testSchema,
  writeDocs,
} from '../__testUtils__/fixtures';
import { Indexer } from './Indexer';

jest.setTimeout(180_000);

describe.each(VECTOR_STORES)(
  'Indexer on %s, with the sandbox model server',
  (_name, storeUrl) => {
    const schema = testSchema();
    const ingestorTable = `${schema}.ingestor_rows`;
    let pool: pg.Pool;
    let root: string;

    beforeAll(async () => {
      pool = new pg.Pool({ connectionString: storeUrl(), max: 2 });
      root = writeDocs();
    });

    afterAll(async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
      rmSync(root, { recursive: true, force: true });
    });

    async function setup() {
      const config = readRagChatConfig(
        new ConfigReader({
          ragChat: {
            embeddings: {
              baseUrl: sandboxModelUrl(),
              model: EMBEDDING_MODEL,
              dimensions: 384,
            },
            store: { schema },
            sources: {
              docs: { paths: [path.join(root, 'docs')], root },
              ingestorEmbeddings: {
                table: ingestorTable,
                entityRef: 'resource:default/postgres-embeddings',
              },
            },
          },
        }),
      );
      const store = await ChunkStore.create({
        pool,
        schema,
        dimensions: 384,
        efSearch: 100,
      });
      const embeddings = new EmbeddingsClient(config.embeddings!, 384);
      const indexer = new Indexer({
        config,
        store,
        storePool: pool,
        embeddings,
        catalog: catalogServiceMock({ entities: ENTITIES }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      });
      return { store, indexer, embeddings };
    }

    const chunkRows = async () =>
      (
        await pool.query(
          `SELECT id, source_id, chunk_index, content_hash, embedding IS NOT NULL AS embedded
           FROM "${schema}".chunks ORDER BY source_id, chunk_index`,
        )
      ).rows;
    const indexedAt = async (sourceId: string) =>
      (
        await pool.query(
          `SELECT indexed_at, checked_at FROM "${schema}".sources WHERE source_id = $1`,
          [sourceId],
        )
      ).rows[0];

    it('indexes once, then touches only what changed', async () => {
      const { store, indexer, embeddings } = await setup();
      // The ingestors' table, in the shape of the sandbox's ingestor_embeddings.
      await pool.query(`CREATE TABLE "${schema}".ingestor_rows (
      id bigserial PRIMARY KEY, source_ref text NOT NULL, chunk_index integer NOT NULL,
      content text NOT NULL, embedding vector(384) NOT NULL)`);
      const rows = [
        [
          'release/v1.2.0',
          0,
          'Release v1.2.0 adds streaming answers to the web UI.',
        ],
        [
          'release/v1.2.0',
          1,
          'Release v1.2.0 fixes a memory leak in the ingestors.',
        ],
        [
          'release/v1.3.0',
          0,
          'Release v1.3.0 moves embeddings to pgvector HNSW indexes.',
        ],
      ] as const;
      const vectors = await embeddings.embed(rows.map(r => r[2]));
      for (const [i, [ref, idx, content]] of rows.entries()) {
        await pool.query(
          `INSERT INTO "${schema}".ingestor_rows (source_ref, chunk_index, content, embedding)
         VALUES ($1, $2, $3, $4::vector)`,
          [ref, idx, content, `[${vectors[i].join(',')}]`],
        );
      }

      // First run: everything is new and embedded (the ingestors' vectors reused).
      const first = await indexer.run();
      expect(first.entity).toMatchObject({
        added: ENTITIES.length,
        deleted: 0,
      });
      expect(first.doc).toMatchObject({
        added: Object.keys(DOCS).length,
        deleted: 0,
      });
      expect(first.ingestor).toMatchObject({ added: 2, embeddedChunks: 0 });
      const before = await chunkRows();
      expect(before.every(r => r.embedded)).toBe(true);
      expect(first.doc!.embeddedChunks + first.entity!.embeddedChunks).toBe(
        before.filter(r => !r.source_id.startsWith('ingestor:')).length,
      );
      const stats = await store.stats();
      expect(stats.find(s => s.kind === 'ingestor')).toMatchObject({
        sources: 2,
        chunks: 3,
        embeddedChunks: 3,
      });

      // Second run, nothing changed: nothing re-embedded or rewritten.
      const overviewBefore = await indexedAt('doc:docs/platform.md');
      const second = await indexer.run();
      for (const kind of ['entity', 'doc', 'ingestor'] as const) {
        expect(second[kind]).toMatchObject({
          added: 0,
          updated: 0,
          deleted: 0,
          embeddedChunks: 0,
        });
      }
      expect(await chunkRows()).toEqual(before);
      const overviewAfter = await indexedAt('doc:docs/platform.md');
      expect(overviewAfter.indexed_at).toEqual(overviewBefore.indexed_at);
      expect(overviewAfter.checked_at.getTime()).toBeGreaterThanOrEqual(
        overviewBefore.checked_at.getTime(),
      );

      // One section of one doc changes, one doc is removed, one ingested source changes.
      writeFileSync(
        path.join(root, 'docs/platform.md'),
        DOCS['docs/platform.md'].replace('three brokers', 'five brokers'),
      );
      unlinkSync(path.join(root, 'docs/untrusted.md'));
      await pool.query(
        `UPDATE "${schema}".ingestor_rows SET content = content || ' It also adds retries.'
        WHERE source_ref = 'release/v1.3.0'`,
      );
      const third = await indexer.run();
      expect(third.doc).toMatchObject({
        added: 0,
        updated: 1,
        deleted: 1,
        unchanged: Object.keys(DOCS).length - 2,
        // Only the changed section (## Kafka) is embedded again.
        embeddedChunks: 1,
      });
      expect(third.entity).toMatchObject({ updated: 0, embeddedChunks: 0 });
      expect(third.ingestor).toMatchObject({ updated: 1, unchanged: 1 });

      const after = await chunkRows();
      expect(after.some(r => r.source_id === 'doc:docs/untrusted.md')).toBe(
        false,
      );
      // Chunks of untouched sources are the very same rows.
      const untouched = (rs: typeof before) =>
        rs.filter(
          r =>
            r.source_id !== 'doc:docs/platform.md' &&
            r.source_id !== 'doc:docs/untrusted.md' &&
            r.source_id !== 'ingestor:release/v1.3.0',
        );
      expect(untouched(after)).toEqual(untouched(before));
      const changed = after.filter(r => r.source_id === 'doc:docs/platform.md');
      const old = before.filter(r => r.source_id === 'doc:docs/platform.md');
      expect(changed.map(r => r.content_hash)).not.toEqual(
        old.map(r => r.content_hash),
      );
      expect(
        changed.filter((r, i) => r.content_hash !== old[i].content_hash),
      ).toHaveLength(1);
      expect(after.every(r => r.embedded)).toBe(true);

      // A removed ingested source is removed from the index.
      await pool.query(
        `DELETE FROM "${schema}".ingestor_rows WHERE source_ref = 'release/v1.2.0'`,
      );
      const fourth = await indexer.run();
      expect(fourth.ingestor).toMatchObject({ deleted: 1, unchanged: 1 });
    });
  },
);
