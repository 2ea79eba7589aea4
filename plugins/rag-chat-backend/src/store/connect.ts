import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ServiceUnavailableError } from '@backstage/errors';
import pg from 'pg';

/** A `pg` pool on the store, and how to stop whatever was started for it. */
export interface StoreConnection {
  pool: pg.Pool;
  kind: 'embedded' | 'postgres';
  /** The embedded store's Unix socket (in a directory only this user may enter). */
  socketPath?: string;
  close(): Promise<void>;
}

/** The port in the socket's file name, as `pg` and libpq look for it (`.s.PGSQL.<port>`). */
const SOCKET_PORT = 5432;

const workerFile = resolvePackagePath(
  '@internal/plugin-rag-chat-backend',
  'worker/pglite-server.cjs',
);

/** Starts the embedded PGlite in a worker thread; resolves once it listens on the socket. */
function startEmbedded(
  dataDir: string | undefined,
  socketPath: string,
  maxConnections: number,
) {
  const worker = new Worker(workerFile, {
    workerData: { dataDir, socketPath, maxConnections },
  });
  const listening = new Promise<void>((resolve, reject) => {
    worker.once('message', (message: { socket?: string; error?: string }) => {
      if (message.socket) resolve();
      else
        reject(
          new ServiceUnavailableError(
            `embedded PGlite failed: ${message.error}`,
          ),
        );
    });
    worker.once('error', reject);
    worker.once('exit', code =>
      reject(
        new ServiceUnavailableError(`embedded PGlite exited with ${code}`),
      ),
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
  return { listening, stop };
}

/**
 * Connects to the configured PostgreSQL, or starts an embedded PGlite with
 * pgvector in a worker thread of this process and serves it through
 * pglite-socket, so that both go through the same `pg` code path. PGlite asks for
 * no password, so it listens on no TCP port: only on a Unix socket (mode 0600) in
 * a fresh directory (mode 0700) that only this process's user may enter, removed
 * at close. Its data directory is made private (0700) too.
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
      logger.warn('RAG chat: store connection error', {
        error: String(error),
      }),
    );
    return { pool, kind: 'postgres', close: () => pool.end() };
  }

  // PGlite runs one query at a time; a small pool avoids queueing at the socket.
  const max = 3;
  // PGlite creates its data directory but not the folders above it (.portal-data/ on a fresh clone).
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  // mkdtemp makes the directory with mode 0700; said again in case of an odd umask.
  const socketDir = mkdtempSync(path.join(os.tmpdir(), 'rag-chat-store-'));
  chmodSync(socketDir, 0o700);
  const socketPath = path.join(socketDir, `.s.PGSQL.${SOCKET_PORT}`);
  const embedded = startEmbedded(dataDir, socketPath, max + 1);
  try {
    await embedded.listening;
  } catch (error) {
    await embedded.stop().catch(() => undefined);
    rmSync(socketDir, { recursive: true, force: true });
    throw error;
  }
  logger.info('RAG chat store: embedded PGlite with pgvector', {
    data: dataDir ?? 'in memory',
    socket: socketPath,
  });
  const pool = new pg.Pool({
    host: socketDir,
    port: SOCKET_PORT,
    user: 'postgres',
    database: 'postgres',
    max,
  });
  pool.on('error', error =>
    logger.warn('RAG chat: embedded store connection error', {
      error: String(error),
    }),
  );
  return {
    pool,
    kind: 'embedded',
    socketPath,
    async close() {
      await pool.end();
      await embedded.stop();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}
