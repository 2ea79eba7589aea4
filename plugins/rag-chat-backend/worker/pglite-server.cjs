// @ts-check
/*
 * The embedded vector store: PGlite with pgvector, served over the PostgreSQL
 * wire protocol on a Unix socket in a private directory (src/store/connect.ts
 * makes it, mode 0700), in a worker thread of the backend (PGlite runs queries
 * synchronously; here they do not block the backend's event loop). PGlite has no
 * authentication, so the socket is the guard: no TCP port, the socket file mode
 * 0600. Posts { socket } once it listens.
 */
const { chmodSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');

async function main() {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({
    dataDir: workerData.dataDir,
    extensions: { vector },
  });
  const server = new PGLiteSocketServer({
    db,
    path: workerData.socketPath,
    maxConnections: workerData.maxConnections,
  });
  await server.start();
  chmodSync(workerData.socketPath, 0o600);
  parentPort?.on('message', async message => {
    if (message === 'stop') {
      await server.stop();
      await db.close();
      parentPort?.postMessage({ stopped: true });
    }
  });
  parentPort?.postMessage({ socket: workerData.socketPath });
}

main().catch(error => {
  parentPort?.postMessage({ error: String(error?.stack ?? error) });
});
