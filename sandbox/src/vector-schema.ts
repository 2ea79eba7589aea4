/*
 * Creates the vector store's schema (idempotent): the LLM ingestors' embeddings,
 * all-MiniLM-L6-v2 vectors of 384 dimensions, with an HNSW index for cosine
 * distance and a full-text index. Usage: node vector-schema.ts <postgres url>
 */
import pg from 'pg';

export const EMBEDDING_DIMENSIONS = 384;

export const VECTOR_SCHEMA_SQL = `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS ingestor_embeddings (
  id          bigserial PRIMARY KEY,
  source_ref  text        NOT NULL,
  chunk_index integer     NOT NULL DEFAULT 0,
  content     text        NOT NULL,
  embedding   vector(${EMBEDDING_DIMENSIONS}) NOT NULL,
  tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_ref, chunk_index)
);
CREATE INDEX IF NOT EXISTS ingestor_embeddings_hnsw
  ON ingestor_embeddings USING hnsw (embedding vector_cosine_ops);
CREATE INDEX IF NOT EXISTS ingestor_embeddings_tsv
  ON ingestor_embeddings USING gin (tsv);
`;

async function main(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(VECTOR_SCHEMA_SQL);
    const { rows } = await client.query(
      "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
    );
    process.stdout.write(
      `vector schema ready (pgvector ${rows[0].extversion})\n`,
    );
  } finally {
    await client.end();
  }
}

// Run as a script (node vector-schema.ts URL), not when imported by a test.
if (process.argv[1]?.endsWith('vector-schema.ts')) {
  main(process.argv[2]).catch(error => {
    process.stderr.write(`vector schema failed: ${error}\n`);
    process.exit(1);
  });
}
