import {
  IndexedSourceStats,
  SourceKind,
} from '@internal/plugin-rag-chat-common';
import pg, { escapeLiteral } from 'pg';

/** A source as indexed: an entity, a doc, or one source ref of the ingestors' table. */
export interface SourceRecord {
  sourceId: string;
  kind: SourceKind;
  title: string;
  url: string;
  entityRef?: string;
  /** Only members of this group (an entity ref) may read it. */
  restrictedTo?: string;
  body: string;
  contentHash: string;
  /** The model its chunks were embedded with; null: not embedded. */
  embeddingModel: string | null;
}

export interface ChunkRecord {
  index: number;
  heading?: string;
  url: string;
  text: string;
  contentHash: string;
  embedding?: number[] | null;
}

/** Who asks: decides, in SQL, which chunks a search may return. */
export interface AccessFilter {
  /** Entities the asker may read; a chunk derived from any other entity is never returned. */
  readableEntityRefs: string[];
  /** The asker's identity and groups (ownership refs), for restricted docs. */
  principalRefs: string[];
  /** When set, only chunks derived from these entities. */
  scopeEntityRefs?: string[];
}

/**
 * The filter of a candidate search whose entities' read permission is checked
 * afterwards, candidate by candidate (the Retriever asks the catalog about the
 * entities the candidates come from): restricted docs and the scope in SQL, and the
 * entities already found unreadable left out so that a further page brings others.
 */
export interface CandidateFilter {
  principalRefs: string[];
  scopeEntityRefs?: string[];
  excludedEntityRefs?: string[];
}

/** A search hit with the entity its chunk comes from, for the read permission check. */
export type Candidate<H> = H & { entityRef?: string };

export interface VectorHit {
  id: string;
  similarity: number;
}

export interface LexicalHit {
  id: string;
  rank: number;
  /** Share of the question's distinct terms that the chunk contains. */
  coverage: number;
}

export interface StoredChunk {
  id: string;
  sourceId: string;
  kind: SourceKind;
  title: string;
  heading?: string;
  url: string;
  entityRef?: string;
  text: string;
}

export interface StoredSource extends SourceRecord {
  indexedAt: string;
  checkedAt: string;
}

const toVector = (v: number[]) => `[${v.join(',')}]`;

/**
 * SQL literals, for the searches sent as one simple query (see `search`). Strings go
 * through pg's escapeLiteral; numbers must be finite.
 */
const literal = {
  text: (v: string) => escapeLiteral(v),
  /** One array constant (quick to parse with thousands of refs), each element quoted. */
  texts: (v: string[]) =>
    `${escapeLiteral(
      `{${v.map(x => `"${x.replace(/["\\]/g, m => `\\${m}`)}"`).join(',')}}`,
    )}::text[]`,
  int(v: number) {
    if (!Number.isSafeInteger(v)) throw new TypeError(`not an integer: ${v}`);
    return String(v);
  },
  vector(v: number[]) {
    for (const x of v) {
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new TypeError('an embedding holds a value that is not a number');
      }
    }
    return `'${toVector(v)}'::vector`;
  },
};

const CHUNK_COLUMNS = `c.source_id, s.kind, s.title, c.heading, c.url, c.entity_ref, c.content`;
const ids = (v: string[]) =>
  `'{${v.map(id => literal.int(Number(id))).join(',')}}'::bigint[]`;

function toStoredChunk(r: any): StoredChunk {
  return {
    id: String(r.id),
    sourceId: r.source_id,
    kind: r.kind,
    title: r.title,
    heading: r.heading ?? undefined,
    url: r.url,
    entityRef: r.entity_ref ?? undefined,
    text: r.content,
  };
}

/**
 * The chat's chunks in PostgreSQL with pgvector (a server, or the embedded
 * PGlite): a typed vector(<dims>) column with an HNSW index for cosine
 * distance, a generated tsvector with a GIN index, and the entity and group
 * each chunk is guarded by, filtered in the same SQL as the search.
 */
export class ChunkStore {
  static async create(options: {
    pool: pg.Pool;
    schema: string;
    dimensions: number;
    efSearch: number;
  }): Promise<ChunkStore> {
    const store = new ChunkStore(
      options.pool,
      options.schema,
      options.dimensions,
      options.efSearch,
    );
    await store.migrate();
    return store;
  }

  private pgvectorVersion = '';

  private constructor(
    private readonly pool: pg.Pool,
    private readonly schema: string,
    readonly dimensions: number,
    private readonly efSearch: number,
  ) {}

  private get t() {
    return {
      sources: `"${this.schema}".sources`,
      chunks: `"${this.schema}".chunks`,
    };
  }

  get version(): string {
    return this.pgvectorVersion;
  }

  /** Iterative index scans (pgvector 0.8): filtered queries still get k rows. */
  private get iterativeScans(): boolean {
    const [major, minor] = this.pgvectorVersion.split('.').map(Number);
    return major > 0 || minor >= 8;
  }

  private async migrate() {
    const { sources, chunks } = this.t;
    const client = await this.pool.connect();
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      const { rows } = await client.query(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
      );
      this.pgvectorVersion = rows[0].extversion;
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${sources} (
          source_id       text PRIMARY KEY,
          kind            text NOT NULL,
          title           text NOT NULL,
          url             text NOT NULL,
          entity_ref      text,
          restricted_to   text,
          body            text NOT NULL,
          content_hash    text NOT NULL,
          embedding_model text,
          chunk_count     integer NOT NULL,
          indexed_at      timestamptz NOT NULL DEFAULT now(),
          checked_at      timestamptz NOT NULL DEFAULT now()
        )`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS ${chunks} (
          id            bigserial PRIMARY KEY,
          source_id     text NOT NULL REFERENCES ${sources} (source_id) ON DELETE CASCADE,
          chunk_index   integer NOT NULL,
          heading       text,
          url           text NOT NULL,
          entity_ref    text,
          restricted_to text,
          content       text NOT NULL,
          content_hash  text NOT NULL,
          embedding     vector(${this.dimensions}),
          tsv           tsvector GENERATED ALWAYS AS
                          (to_tsvector('english', coalesce(heading, '') || ' ' || content)) STORED,
          UNIQUE (source_id, chunk_index)
        )`);
      // A different model size: the old vectors are useless; drop them and re-embed.
      const typmod = await client.query(
        `SELECT atttypmod FROM pg_attribute
          WHERE attrelid = $1::regclass AND attname = 'embedding'`,
        [chunks],
      );
      if (typmod.rows[0].atttypmod !== this.dimensions) {
        await client.query(`DROP INDEX IF EXISTS "${this.schema}".chunks_hnsw`);
        await client.query(`UPDATE ${chunks} SET embedding = NULL`);
        await client.query(`UPDATE ${sources} SET embedding_model = NULL`);
        await client.query(
          `ALTER TABLE ${chunks} ALTER COLUMN embedding TYPE vector(${this.dimensions})`,
        );
      }
      await client.query(
        `CREATE INDEX IF NOT EXISTS chunks_hnsw ON ${chunks} USING hnsw (embedding vector_cosine_ops)`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS chunks_tsv ON ${chunks} USING gin (tsv)`,
      );
      await client.query(
        `CREATE INDEX IF NOT EXISTS chunks_entity_ref ON ${chunks} (entity_ref)`,
      );
    } finally {
      client.release();
    }
  }

  /** Content hash and embedding model of every indexed source of a kind. */
  async sourceStates(
    kind: SourceKind,
  ): Promise<
    Map<string, { contentHash: string; embeddingModel: string | null }>
  > {
    const { rows } = await this.pool.query(
      `SELECT source_id, content_hash, embedding_model FROM ${this.t.sources} WHERE kind = $1`,
      [kind],
    );
    return new Map(
      rows.map(r => [
        r.source_id,
        { contentHash: r.content_hash, embeddingModel: r.embedding_model },
      ]),
    );
  }

  /** The vectors of a source's current chunks by content hash, when made by `model`. */
  async reusableEmbeddings(
    sourceId: string,
    model: string,
  ): Promise<Map<string, number[]>> {
    const { rows } = await this.pool.query(
      `SELECT c.content_hash, c.embedding::text AS embedding
         FROM ${this.t.chunks} c JOIN ${this.t.sources} s USING (source_id)
        WHERE c.source_id = $1 AND s.embedding_model = $2 AND c.embedding IS NOT NULL`,
      [sourceId, model],
    );
    return new Map(rows.map(r => [r.content_hash, JSON.parse(r.embedding)]));
  }

  /** Replaces a source and all its chunks in one transaction. */
  async replaceSource(source: SourceRecord, chunks: ChunkRecord[]) {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO ${this.t.sources}
           (source_id, kind, title, url, entity_ref, restricted_to, body, content_hash,
            embedding_model, chunk_count, indexed_at, checked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())
         ON CONFLICT (source_id) DO UPDATE SET
           kind = EXCLUDED.kind, title = EXCLUDED.title, url = EXCLUDED.url,
           entity_ref = EXCLUDED.entity_ref, restricted_to = EXCLUDED.restricted_to,
           body = EXCLUDED.body, content_hash = EXCLUDED.content_hash,
           embedding_model = EXCLUDED.embedding_model, chunk_count = EXCLUDED.chunk_count,
           indexed_at = now(), checked_at = now()`,
        [
          source.sourceId,
          source.kind,
          source.title,
          source.url,
          source.entityRef ?? null,
          source.restrictedTo ?? null,
          source.body,
          source.contentHash,
          source.embeddingModel,
          chunks.length,
        ],
      );
      await client.query(`DELETE FROM ${this.t.chunks} WHERE source_id = $1`, [
        source.sourceId,
      ]);
      for (const chunk of chunks) {
        await client.query(
          `INSERT INTO ${this.t.chunks}
             (source_id, chunk_index, heading, url, entity_ref, restricted_to, content,
              content_hash, embedding)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::vector)`,
          [
            source.sourceId,
            chunk.index,
            chunk.heading ?? null,
            chunk.url,
            source.entityRef ?? null,
            source.restrictedTo ?? null,
            chunk.text,
            chunk.contentHash,
            chunk.embedding ? toVector(chunk.embedding) : null,
          ],
        );
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Records that these sources were checked and found unchanged. */
  async touchSources(sourceIds: string[]) {
    if (sourceIds.length === 0) return;
    await this.pool.query(
      `UPDATE ${this.t.sources} SET checked_at = now() WHERE source_id = ANY($1)`,
      [sourceIds],
    );
  }

  async deleteSources(sourceIds: string[]) {
    if (sourceIds.length === 0) return;
    await this.pool.query(
      `DELETE FROM ${this.t.sources} WHERE source_id = ANY($1)`,
      [sourceIds],
    );
  }

  /** The permission filter as SQL over chunk alias `c`, its values as literals. */
  private accessSql(filter: AccessFilter | CandidateFilter): string {
    const parts: string[] = [];
    if ('readableEntityRefs' in filter && filter.readableEntityRefs) {
      parts.push(
        `(c.entity_ref IS NULL OR c.entity_ref = ANY(${literal.texts(
          filter.readableEntityRefs,
        )}))`,
      );
    }
    parts.push(
      `(c.restricted_to IS NULL OR c.restricted_to = ANY(${literal.texts(
        filter.principalRefs,
      )}))`,
    );
    if ('excludedEntityRefs' in filter && filter.excludedEntityRefs?.length) {
      parts.push(
        `(c.entity_ref IS NULL OR c.entity_ref <> ALL(${literal.texts(
          filter.excludedEntityRefs,
        )}))`,
      );
    }
    if (filter.scopeEntityRefs) {
      parts.push(
        `c.entity_ref = ANY(${literal.texts(filter.scopeEntityRefs)})`,
      );
    }
    return parts.join(' AND ');
  }

  /**
   * The settings and the query of a vector search: one place, for the search and its plan.
   * The whole search is one simple query (no parameters: the values are literals), so it
   * costs one round trip, also to the embedded PGlite, whose socket server runs every
   * message of the extended protocol (parse, bind, describe, execute, sync) on its own.
   */
  private vectorQuery(
    embedding: number[],
    filter: AccessFilter | CandidateFilter,
    limit: number,
    withEntity: boolean,
  ) {
    const vector = literal.vector(embedding);
    return {
      settings: `SET LOCAL hnsw.ef_search = ${literal.int(
        Math.max(this.efSearch, limit),
      )};${
        this.iterativeScans
          ? ' SET LOCAL hnsw.iterative_scan = relaxed_order;'
          : ''
      }`,
      sql: `SELECT c.id, 1 - (c.embedding <=> ${vector}) AS similarity${
        withEntity ? ', c.entity_ref' : ''
      }
           FROM ${this.t.chunks} c
          WHERE c.embedding IS NOT NULL AND ${this.accessSql(filter)}
          ORDER BY c.embedding <=> ${vector}
          LIMIT ${literal.int(limit)}`,
    };
  }

  private async runVectorQuery(query: { settings: string; sql: string }) {
    const client = await this.pool.connect();
    try {
      const results = (await client.query(
        `BEGIN; ${query.settings} ${query.sql}; COMMIT;`,
      )) as unknown as pg.QueryResult[];
      const { rows } = results.find(r => r.command === 'SELECT')!;
      // relaxed_order may return rows slightly out of order.
      return rows
        .map(r => ({ r, similarity: Number(r.similarity) }))
        .sort((a, b) => b.similarity - a.similarity);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Nearest chunks by cosine distance through the HNSW index, filtered by access. */
  async vectorSearch(
    embedding: number[],
    filter: AccessFilter,
    limit: number,
  ): Promise<VectorHit[]> {
    const rows = await this.runVectorQuery(
      this.vectorQuery(embedding, filter, limit, false),
    );
    return rows.map(({ r, similarity }) => ({ id: String(r.id), similarity }));
  }

  /** As vectorSearch, with each hit's entity. */
  async vectorCandidates(
    embedding: number[],
    filter: AccessFilter | CandidateFilter,
    limit: number,
  ): Promise<Candidate<VectorHit>[]> {
    const rows = await this.runVectorQuery(
      this.vectorQuery(embedding, filter, limit, true),
    );
    return rows.map(({ r, similarity }) => ({
      id: String(r.id),
      similarity,
      entityRef: r.entity_ref ?? undefined,
    }));
  }

  /**
   * The planner's plan for exactly the query and settings of `vectorSearch` (EXPLAIN,
   * not run), one line per plan node: to check which index a search goes through.
   * `indexOnly` turns sequential and bitmap scans off, as the planner's cost model does
   * by itself on a large table, to show whether the HNSW index can serve the query at
   * all (on a few thousand chunks an exact scan is cheaper and rightly chosen).
   */
  async explainVectorSearch(
    embedding: number[],
    filter: AccessFilter,
    limit: number,
    options: { indexOnly?: boolean } = {},
  ): Promise<string[]> {
    const query = this.vectorQuery(embedding, filter, limit, false);
    const client = await this.pool.connect();
    try {
      await client.query(`BEGIN; ${query.settings}`);
      if (options.indexOnly) {
        await client.query(
          'SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off;',
        );
      }
      const { rows } = await client.query(`EXPLAIN ${query.sql}`);
      return rows.map(r => String(r['QUERY PLAN']));
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  /** The full-text query (one simple query, as the vector search's). */
  private lexicalQuery(
    question: string,
    filter: AccessFilter | CandidateFilter,
    limit: number,
    withEntity: boolean,
  ) {
    return `WITH terms AS (
         SELECT DISTINCT t FROM unnest(tsvector_to_array(to_tsvector('english', ${literal.text(
           question,
         )}))) AS t
          WHERE position(E'\\\\' IN t) = 0
       ), q AS (
         SELECT to_tsquery('simple', string_agg(quote_literal(t), ' | ')) AS query,
                count(*) AS n
           FROM terms
       )
       SELECT c.id, ts_rank_cd(c.tsv, q.query, 32) AS rank,
              (SELECT count(*) FROM terms
                WHERE c.tsv @@ to_tsquery('simple', quote_literal(terms.t)))::float8 / q.n AS coverage${
                  withEntity ? ', c.entity_ref' : ''
                }
         FROM ${this.t.chunks} c, q
        WHERE q.n > 0 AND c.tsv @@ q.query AND ${this.accessSql(filter)}
        ORDER BY rank DESC, c.id
        LIMIT ${literal.int(limit)}`;
  }

  /**
   * Full-text search: any of the question's terms (stemmed, stop words dropped)
   * through the GIN index, ranked by cover density, with the share of the
   * question's terms each chunk contains.
   */
  async lexicalSearch(
    question: string,
    filter: AccessFilter,
    limit: number,
  ): Promise<LexicalHit[]> {
    const { rows } = await this.pool.query(
      this.lexicalQuery(question, filter, limit, false),
    );
    return rows.map(r => ({
      id: String(r.id),
      rank: Number(r.rank),
      coverage: Number(r.coverage),
    }));
  }

  /** As lexicalSearch, with each hit's entity. */
  async lexicalCandidates(
    question: string,
    filter: AccessFilter | CandidateFilter,
    limit: number,
  ): Promise<Candidate<LexicalHit>[]> {
    const { rows } = await this.pool.query(
      this.lexicalQuery(question, filter, limit, true),
    );
    return rows.map(r => ({
      id: String(r.id),
      rank: Number(r.rank),
      coverage: Number(r.coverage),
      entityRef: r.entity_ref ?? undefined,
    }));
  }

  async getChunks(chunkIds: string[]): Promise<Map<string, StoredChunk>> {
    if (chunkIds.length === 0) return new Map();
    // One simple query (see vectorQuery).
    const { rows } = await this.pool.query(
      `SELECT c.id, ${CHUNK_COLUMNS}
         FROM ${this.t.chunks} c JOIN ${this.t.sources} s USING (source_id)
        WHERE c.id = ANY(${ids(chunkIds)})`,
    );
    return new Map(rows.map(r => [String(r.id), toStoredChunk(r)]));
  }

  async getSource(sourceId: string): Promise<StoredSource | undefined> {
    const { rows } = await this.pool.query(
      `SELECT * FROM ${this.t.sources} WHERE source_id = $1`,
      [sourceId],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      sourceId: r.source_id,
      kind: r.kind,
      title: r.title,
      url: r.url,
      entityRef: r.entity_ref ?? undefined,
      restrictedTo: r.restricted_to ?? undefined,
      body: r.body,
      contentHash: r.content_hash,
      embeddingModel: r.embedding_model,
      indexedAt: new Date(r.indexed_at).toISOString(),
      checkedAt: new Date(r.checked_at).toISOString(),
    };
  }

  async stats(): Promise<IndexedSourceStats[]> {
    const { rows } = await this.pool.query(
      `SELECT s.kind,
              count(DISTINCT s.source_id) AS sources,
              count(c.id) AS chunks,
              count(c.embedding) AS embedded,
              max(s.indexed_at) AS last_indexed_at
         FROM ${this.t.sources} s LEFT JOIN ${this.t.chunks} c USING (source_id)
        GROUP BY s.kind ORDER BY s.kind`,
    );
    return rows.map(r => ({
      kind: r.kind,
      sources: Number(r.sources),
      chunks: Number(r.chunks),
      embeddedChunks: Number(r.embedded),
      lastIndexedAt: r.last_indexed_at
        ? new Date(r.last_indexed_at).toISOString()
        : undefined,
    }));
  }

  /** Drops the schema and everything in it (tests and benchmarks only). */
  async dropSchema() {
    await this.pool.query(`DROP SCHEMA IF EXISTS "${this.schema}" CASCADE`);
  }
}
