/*
 * Integration tests of the sandbox's databases: PostgreSQL 15 from Debian and the
 * PGlite vector store with pgvector, both through the same `pg` client.
 */
import pg from 'pg';
import { sandboxEnv } from './env';

jest.setTimeout(60_000);

const env = sandboxEnv();

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A deterministic unit vector of 384 dimensions pointing mostly along `axis`. */
function vector(axis: number, noise = 0.01) {
  const v = Array.from({ length: 384 }, (_, i) =>
    i === axis ? 1 : noise * Math.sin(i * (axis + 1)),
  );
  const norm = Math.hypot(...v);
  return `[${v.map(x => (x / norm).toFixed(6)).join(',')}]`;
}

describe('sandbox postgres', () => {
  it('is PostgreSQL 15 with the platform tables, filled by the webapp consumer', async () => {
    await withClient(env.postgresUrl, async client => {
      const { rows } = await client.query('SHOW server_version_num');
      expect(Number(rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
      expect(Number(rows[0].server_version_num)).toBeLessThan(160000);
      const events = await client.query(
        'SELECT count(*)::int AS n FROM raw_events',
      );
      expect(events.rows[0].n).toBeGreaterThan(0);
    });
  });
});

describe('sandbox postgres with pgvector (database vectors)', () => {
  it('has pgvector 0.8 built for PostgreSQL 15, with an HNSW cosine index and correct nearest neighbours', async () => {
    await withClient(env.pgVectorUrl, async client => {
      const version = await client.query(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
      );
      expect(version.rows[0].extversion).toMatch(/^0\.8\.\d+$/);
      const server = await client.query('SHOW server_version_num');
      expect(
        Math.floor(Number(server.rows[0].server_version_num) / 10000),
      ).toBe(15);

      const table = `sandbox_test_pgvector_${process.pid}`;
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.query(
        `CREATE TABLE ${table} (id int PRIMARY KEY, embedding vector(384))`,
      );
      try {
        for (let id = 0; id < 60; id++) {
          await client.query(`INSERT INTO ${table} VALUES ($1, $2)`, [
            id,
            vector(id),
          ]);
        }
        await client.query(
          `CREATE INDEX ${table}_hnsw ON ${table} USING hnsw (embedding vector_cosine_ops)`,
        );
        await client.query('SET enable_seqscan = off');
        const query = `SELECT id, embedding <=> $1 AS distance FROM ${table} ORDER BY embedding <=> $1 LIMIT 3`;
        const plan = await client.query(`EXPLAIN ${query}`, [vector(42, 0.02)]);
        expect(plan.rows.map(r => r['QUERY PLAN']).join('\n')).toMatch(
          new RegExp(`Index Scan using ${table}_hnsw`),
        );
        const { rows } = await client.query(query, [vector(42, 0.02)]);
        expect(rows.map(r => r.id)[0]).toBe(42);
        expect(Number(rows[0].distance)).toBeLessThan(0.01);
        expect(Number(rows[1].distance)).toBeGreaterThan(0.5);
      } finally {
        await client.query(`DROP TABLE ${table}`);
      }
    });
  });
});

describe('sandbox vector store (PGlite + pgvector)', () => {
  it('serves pgvector with an HNSW index and answers nearest-neighbour queries', async () => {
    await withClient(env.vectorUrl, async client => {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
      await client.query('DROP TABLE IF EXISTS sandbox_test_vectors');
      await client.query(
        'CREATE TABLE sandbox_test_vectors (id int PRIMARY KEY, embedding vector(384))',
      );
      for (let id = 0; id < 50; id++) {
        await client.query('INSERT INTO sandbox_test_vectors VALUES ($1, $2)', [
          id,
          vector(id),
        ]);
      }
      await client.query(
        'CREATE INDEX sandbox_test_vectors_hnsw ON sandbox_test_vectors USING hnsw (embedding vector_cosine_ops)',
      );
      await client.query('SET enable_seqscan = off');
      const plan = await client.query(
        `EXPLAIN SELECT id FROM sandbox_test_vectors ORDER BY embedding <=> $1 LIMIT 3`,
        [vector(17, 0.02)],
      );
      expect(plan.rows.map(r => r['QUERY PLAN']).join('\n')).toMatch(
        /Index Scan using sandbox_test_vectors_hnsw/,
      );
      const { rows } = await client.query(
        `SELECT id FROM sandbox_test_vectors ORDER BY embedding <=> $1 LIMIT 3`,
        [vector(17, 0.02)],
      );
      expect(rows[0].id).toBe(17);
      await client.query('DROP TABLE sandbox_test_vectors');
    });
  });

  it('holds the ingestors embeddings table', async () => {
    await withClient(env.vectorUrl, async client => {
      const { rows } = await client.query(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
         WHERE attrelid = 'ingestor_embeddings'::regclass AND attname = 'embedding'`,
      );
      expect(rows[0].type).toBe('vector(384)');
    });
  });
});
