/*
 * The chunk store's SQL, against every store it runs on: the sandbox's
 * pglite-server (scripts/sandbox up vector), the sandbox's PostgreSQL 15 with
 * pgvector (scripts/sandbox up postgres: the production path) and the embedded
 * PGlite this plugin starts when nothing is configured. Vectors are real all-MiniLM-L6-v2
 * embeddings from the sandbox model server.
 */
import { mockServices } from '@backstage/backend-test-utils';
import { EmbeddingsClient } from '../model/openai';
import {
  EMBEDDING_MODEL,
  SECRET_ENTITY,
  VECTOR_STORES,
  sandboxModelUrl,
  testSchema,
} from '../__testUtils__/fixtures';
import { AccessFilter, ChunkStore } from './ChunkStore';
import { StoreConnection, connectStore } from './connect';

jest.setTimeout(120_000);

const TEXTS = {
  payroll:
    'Payroll ledger: salary bands and bonus rules for every employee; payslips are stored encrypted.',
  kafka:
    'The Kafka cluster has three brokers; topics are replicated three times.',
  breakGlass:
    'Break-glass access to EKS: assume the emergency role from the vault entry and rotate it afterwards.',
};

describe.each<[string, () => string | undefined]>([
  ...VECTOR_STORES,
  ['the embedded PGlite', () => undefined],
])('ChunkStore on %s', (_name, connection) => {
  const schema = testSchema();
  let conn: StoreConnection;
  let store: ChunkStore;
  let vectors: Record<keyof typeof TEXTS, number[]>;

  beforeAll(async () => {
    conn = await connectStore({
      connection: connection(),
      logger: mockServices.logger.mock(),
    });
    store = await ChunkStore.create({
      pool: conn.pool,
      schema,
      dimensions: 384,
      efSearch: 100,
    });
    const embeddings = new EmbeddingsClient(
      { baseUrl: sandboxModelUrl(), model: EMBEDDING_MODEL, batchSize: 8 },
      384,
    );
    const [payroll, kafka, breakGlass] = await embeddings.embed(
      Object.values(TEXTS),
    );
    vectors = { payroll, kafka, breakGlass };
    const put = async (
      sourceId: string,
      text: string,
      embedding: number[],
      guard: { entityRef?: string; restrictedTo?: string },
    ) =>
      store.replaceSource(
        {
          sourceId,
          kind: guard.entityRef ? 'entity' : 'doc',
          title: sourceId,
          url: `/x/${sourceId}`,
          body: text,
          contentHash: sourceId,
          embeddingModel: EMBEDDING_MODEL,
          ...guard,
        },
        [
          {
            index: 0,
            url: `/x/${sourceId}`,
            text,
            contentHash: 'h',
            embedding,
          },
        ],
      );
    await put(`entity:${SECRET_ENTITY}`, TEXTS.payroll, payroll, {
      entityRef: SECRET_ENTITY,
    });
    await put('doc:kafka.md', TEXTS.kafka, kafka, {});
    await put('doc:break-glass.md', TEXTS.breakGlass, breakGlass, {
      restrictedTo: 'group:default/platform-team',
    });
  });

  afterAll(async () => {
    await store?.dropSchema();
    await conn?.close();
  });

  const everyone: AccessFilter = {
    readableEntityRefs: [SECRET_ENTITY],
    principalRefs: ['user:default/alice', 'group:default/platform-team'],
  };
  const outsider: AccessFilter = {
    readableEntityRefs: ['component:default/webapp'],
    principalRefs: ['user:default/bob'],
  };
  const sources = async (hits: Array<{ id: string }>): Promise<string[]> => {
    const chunks = await store.getChunks(hits.map(h => h.id));
    return hits.map(h => chunks.get(h.id)!.sourceId);
  };

  it('finds the nearest chunk with a query the HNSW index serves, with its similarity', async () => {
    const hits = await store.vectorSearch(vectors.kafka, everyone, 3);
    expect(await sources(hits)).toEqual([
      'doc:kafka.md',
      expect.any(String),
      expect.any(String),
    ]);
    expect(hits[0].similarity).toBeGreaterThan(0.99);
    expect(store.version).toMatch(/^0\.8\./);

    // The plan of exactly that query and its settings, with the exact alternatives off
    // (on three chunks the planner rightly prefers them; on a large index it picks HNSW
    // by itself, see bench/rag): it goes through chunks_hnsw, so the operator, the
    // operator class and the permission filter all let the index serve it.
    const plan = (
      await store.explainVectorSearch(vectors.kafka, everyone, 3, {
        indexOnly: true,
      })
    ).join('\n');
    expect(plan).toMatch(/Index Scan using chunks_hnsw on chunks c/);
    expect(plan).toMatch(/Order By: \(embedding <=> /);
    expect(plan).not.toMatch(/Seq Scan|Sort Key/);
  });

  it('never returns a chunk of an entity the asker may not read, nor a doc of another group', async () => {
    // The payroll chunk is the exact match of the query vector and of the query words.
    const vector = await store.vectorSearch(vectors.payroll, outsider, 10);
    const lexical = await store.lexicalSearch(
      'payroll salary bands bonus payslips',
      outsider,
      10,
    );
    expect(await sources(vector)).toEqual(['doc:kafka.md']);
    expect(lexical).toEqual([]);
    const breakGlass = await store.lexicalSearch(
      'break-glass emergency vault',
      outsider,
      10,
    );
    expect(breakGlass).toEqual([]);

    // The same searches for someone who may read both.
    expect(
      (
        await sources(await store.vectorSearch(vectors.payroll, everyone, 1))
      )[0],
    ).toBe(`entity:${SECRET_ENTITY}`);
    expect(
      await sources(
        await store.lexicalSearch('break-glass emergency vault', everyone, 10),
      ),
    ).toEqual(['doc:break-glass.md']);
  });

  it('scopes a search to given entities', async () => {
    const scoped = await store.vectorSearch(
      vectors.kafka,
      { ...everyone, scopeEntityRefs: [SECRET_ENTITY] },
      10,
    );
    expect(await sources(scoped)).toEqual([`entity:${SECRET_ENTITY}`]);
  });

  it('ranks full-text hits by any of the question’s terms, with the share of terms found', async () => {
    const hits = await store.lexicalSearch(
      'How many brokers does the Kafka cluster have?',
      everyone,
      10,
    );
    expect(await sources(hits)).toEqual(['doc:kafka.md']);
    // brokers, kafka, cluster found; "many" is not in the chunk.
    expect(hits[0].coverage).toBeCloseTo(3 / 4, 5);
    expect(await store.lexicalSearch('the and of', everyone, 10)).toEqual([]);
    // Quotes and backslashes in a question are only data.
    await expect(
      store.lexicalSearch("it's a \\ 'quoted' | & ! question", everyone, 10),
    ).resolves.toEqual(expect.any(Array));
  });
});
