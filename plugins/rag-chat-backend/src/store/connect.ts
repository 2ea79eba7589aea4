import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import pg from 'pg';

/** A `pg` pool on the store, and how to stop whatever was started for it. */
export interface StoreConnection {
  pool: pg.Pool;
  kind: 'embedded' | 'postgres';
  close(): Promise<void>;
}

const workerFile = resolvePackagePath(
  '@internal/plugin-rag-chat-backend',
  'worker/pglite-server.cjs',
);

/** Starts the embedded PGlite in a worker thread; resolves with its port. */
function startEmbedded(dataDir: string | undefined, maxConnections: number) {
  const worker = new Worker(workerFile, {
    workerData: { dataDir, maxConnections },
  });
  const port = new Promise<number>((resolve, reject) => {
    worker.once('message', (message: { port?: number; error?: string }) => {
      if (message.port) resolve(message.port);
      else reject(new Error(`embedded PGlite failed: ${message.error}`));
    });
    worker.once('error', reject);
    worker.once('exit', code =>
      reject(new Error(`embedded PGlite exited with ${code}`)),
    );
  });
  const stop = async () => {
    const stopped = new Promise(resolve => {
      worker.once('message', resolve);
      worker.once('exit', resolve);
    });
    worker.postMessage('stop');
    await Promise.race([
      stopped,
      new Promise(resolve => setTimeout(resolve, 5000)),
    ]);
    await worker.terminate();
  };
  return { port, stop };
}

/**
 * Connects to the configured PostgreSQL, or starts an embedded PGlite with
 * pgvector in a worker thread of this process and serves it on a loopback
 * port through pglite-socket, so that both go through the same `pg` code path.
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

  // PGlite runs one query at a time; a small pool avoids queueing at the socket.
  const max = 3;
  // PGlite creates its data directory but not the folders above it (.portal-data/ on a fresh clone).
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const embedded = startEmbedded(dataDir, max + 1);
  const port = await embedded.port;
  logger.info(
    `RAG chat store: embedded PGlite with pgvector (${
      dataDir ? `data in ${dataDir}` : 'in memory'
    }) on 127.0.0.1:${port}`,
  );
  const pool = new pg.Pool({
    connectionString: `postgres://postgres@127.0.0.1:${port}/postgres`,
    max,
  });
  pool.on('error', error =>
    logger.warn(`RAG chat embedded store connection error: ${error}`),
  );
  return {
    pool,
    kind: 'embedded',
    async close() {
      await pool.end();
      await embedded.stop();
    },
  };
}
