import { LoggerService } from '@backstage/backend-plugin-api';
import pg from 'pg';

/** A `pg` pool on the store, and how to stop whatever was started for it. */
export interface StoreConnection {
  pool: pg.Pool;
  kind: 'embedded' | 'postgres';
  close(): Promise<void>;
}

/**
 * Connects to the configured PostgreSQL, or starts an embedded PGlite with
 * pgvector in this process and serves it on a loopback port through
 * pglite-socket, so that both go through the same `pg` code path.
 */
export async function connectStore(options: {
  connection?: string;
  dataDir?: string;
  logger: LoggerService;
}): Promise<StoreConnection> {
  const { connection, dataDir, logger } = options;
  if (connection) {
    const pool = new pg.Pool({ connectionString: connection, max: 5 });
    pool.on('error', error =>
      logger.warn(`RAG chat store connection error: ${error}`),
    );
    return { pool, kind: 'postgres', close: () => pool.end() };
  }

  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  const server = new PGLiteSocketServer({
    db,
    host: '127.0.0.1',
    port: 0,
    maxConnections: 4,
  });
  await server.start();
  const address = server.getServerConn();
  logger.info(
    `RAG chat store: embedded PGlite with pgvector (${
      dataDir ? `data in ${dataDir}` : 'in memory'
    }) on ${address}`,
  );
  // PGlite runs one query at a time; a small pool avoids queueing at the socket.
  const pool = new pg.Pool({
    connectionString: `postgres://postgres@${address}/postgres`,
    max: 3,
  });
  pool.on('error', error =>
    logger.warn(`RAG chat embedded store connection error: ${error}`),
  );
  return {
    pool,
    kind: 'embedded',
    async close() {
      await pool.end();
      await server.stop();
      await db.close();
    },
  };
}
