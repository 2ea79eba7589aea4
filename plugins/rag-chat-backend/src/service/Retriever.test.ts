/*
 * Hybrid retrieval over an index the real Indexer built, on each vector store the
 * chat runs on (the sandbox's pglite-server and its PostgreSQL 15 with pgvector), with
 * real all-MiniLM-L6-v2 embeddings from the sandbox model server.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import pg from 'pg';
import { readRagChatConfig } from '../config';
import { Indexer } from '../indexing/Indexer';
import { EmbeddingsClient } from '../model/openai';
import { AccessFilter, ChunkStore } from '../store/ChunkStore';
import {
  EMBEDDING_MODEL,
  ENTITIES,
  SECRET_ENTITY,
  VECTOR_STORES,
  sandboxModelUrl,
  testSchema,
  writeDocs,
} from '../__testUtils__/fixtures';
import { Retriever } from './Retriever';

jest.setTimeout(180_000);

describe.each(VECTOR_STORES)('Retriever on %s', (_name, storeUrl) => {
  const schema = testSchema();
  let pool: pg.Pool;
  let root: string;
  let retriever: Retriever;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: storeUrl(), max: 2 });
    root = writeDocs();
    const config = readRagChatConfig(
      new ConfigReader({
        ragChat: {
          embeddings: {
            baseUrl: sandboxModelUrl(),
            model: EMBEDDING_MODEL,
            dimensions: 384,
          },
          store: { schema },
          sources: { docs: { paths: [path.join(root, 'docs')], root } },
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
    const run = await indexer.run();
    const failed = run.doc?.error ?? run.entity?.error;
    if (failed) throw new Error(`the index run failed: ${failed}`);
    retriever = new Retriever({
      store,
      embeddings,
      retrieval: config.retrieval,
    });
  });

  afterAll(async () => {
    await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool?.end();
    rmSync(root, { recursive: true, force: true });
  });

  const everyone: AccessFilter = {
    readableEntityRefs: ENTITIES.map(
      e => `${e.kind.toLocaleLowerCase('en-US')}:default/${e.metadata.name}`,
    ),
    principalRefs: ['user:default/alice', 'group:default/platform-team'],
  };
  const outsider: AccessFilter = {
    readableEntityRefs: everyone.readableEntityRefs.filter(
      r => r !== SECRET_ENTITY,
    ),
    principalRefs: ['user:default/bob'],
  };

  it('puts the section that answers first, from vectors and full text together', async () => {
    const { passages, usedVectors } = await retriever.retrieve(
      'How many brokers does the Kafka cluster have?',
      everyone,
    );
    expect(usedVectors).toBe(true);
    expect(passages[0]).toMatchObject({
      sourceId: 'doc:docs/platform.md',
      n: 1,
    });
    expect(passages[0].text).toMatch(/three brokers/);
    expect(passages[0].similarity).toBeGreaterThan(0.3);
  });

  it('finds by meaning a passage that shares no word with the question', async () => {
    // "employee compensation": neither word (nor its stem) is in the payroll entity.
    const { passages } = await retriever.retrieve(
      'employee compensation',
      everyone,
    );
    const payroll = passages.find(p => p.entityRef === SECRET_ENTITY);
    expect(payroll).toBeDefined();
    expect(payroll!.similarity).toBeGreaterThan(0.3);
    expect(payroll!.termCoverage ?? 0).toBe(0);
  });

  it('returns nothing the asker may not read', async () => {
    const question = 'payroll ledger salary bands bonuses payslips';
    // Someone who may read it gets it first; the outsider never.
    const reader = await retriever.retrieve(question, everyone);
    expect(reader.passages[0].entityRef).toBe(SECRET_ENTITY);
    const secret = await retriever.retrieve(question, outsider);
    expect(secret.passages.map(p => p.entityRef)).not.toContain(SECRET_ENTITY);
    const breakGlass = await retriever.retrieve(
      'EKS break-glass role emergency vault entry',
      outsider,
    );
    expect(breakGlass.passages.map(p => p.sourceId)).not.toContain(
      'doc:docs/runbooks/break-glass.md',
    );
    const allowed = await retriever.retrieve(
      'EKS break-glass role emergency vault entry',
      everyone,
    );
    expect(allowed.passages[0].sourceId).toBe(
      'doc:docs/runbooks/break-glass.md',
    );
  });
});
